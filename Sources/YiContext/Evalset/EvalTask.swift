/// The long-context retrieval tests `yi-prep evalset` builds.
public enum EvalKind: String, CaseIterable, Sendable {
    /// Pass-key retrieval (Mohtashami & Jaggi 2023): a 5-digit key hidden in repeated filler.
    case passkey
    /// Needle in a haystack (Kamradt 2023): one factual sentence hidden in real prose.
    case needle
}

/// One question: the fixed text around the haystack and the sentence hidden in it.
struct EvalProblem: Sendable, Equatable {
    /// Instructions before the haystack (ends with a newline).
    var header: String
    /// The hidden sentence, without surrounding whitespace.
    var needle: String
    /// The question after the haystack (starts with a newline), ending where the answer begins.
    var question: String
    var answer: String
}

extension EvalKind {
    /// A fresh problem from `random`. The answer occurs in `needle` and nowhere in header or question.
    func problem(using random: inout EvalRandom) -> EvalProblem {
        switch self {
        case .passkey:
            let key = String(10_000 + random.next(below: 90_000))
            return EvalProblem(
                header: "There is an important info hidden inside a lot of irrelevant text. Find it and memorize it. I will quiz you about the important information there.\n",
                needle: "The pass key is \(key). Remember it. \(key) is the pass key.",
                question: "\nWhat is the pass key? The pass key is",
                answer: key)
        case .needle:
            let city = random.pick(NeedleVocabulary.cities)
            let activity = random.pick(NeedleVocabulary.activities) + " " + random.pick(NeedleVocabulary.places)
            return EvalProblem(
                header: "Read the following text. One sentence in it is the answer to the question that follows the text.\n\n",
                needle: "The best thing to do in \(city) is to \(activity).",
                question: "\n\nWhat is the best thing to do in \(city)? Answer using only the text above.\nAnswer: The best thing to do in \(city) is to",
                answer: activity)
        }
    }

    /// The filler used without `--filler`.
    public var defaultFiller: FillerText {
        switch self {
        case .passkey: return .passkeyClassic()
        case .needle: return .builtinBook()
        }
    }
}

/// Invented towns and specific activities, so a model cannot answer from world knowledge and the
/// answer phrase is unlikely to occur in any filler (which is checked anyway).
enum NeedleVocabulary {
    static let cities = [
        "Port Aldwin", "Varnholm", "Keswick Bay", "Lindqvist Harbour", "Osterfeld", "Marrowgate", "Quillon",
        "Saint Ebba", "Thornbury Vale", "Caldera Springs", "Novo Ristan", "Ashcombe", "Bellmoor", "Drennick",
        "Halvard Point", "Jorvik Minor", "Ravenscar Heights", "Sundale", "Tarnowice", "Wexbridge",
    ]
    static let activities = [
        "rent a blue rowing boat and count the herons", "eat a walnut pastry while watching the ferries",
        "borrow a brass telescope and map the lighthouses", "play chess against the retired clockmakers",
        "buy smoked trout and climb the granite steps", "listen to the carillon concert on Thursday evenings",
        "sketch the copper rooftops at sunrise", "join the lantern procession with a paper kite",
        "taste the juniper cheese and ride the cable tram", "follow the old salt road on a rented tandem",
        "swap postcards with the night-shift bakers", "hunt for amber in the tide pools",
    ]
    static let places = [
        "near the flooded quarry", "beside the abandoned observatory", "behind the cathedral of glass",
        "along the northern tram line", "at the end of Pilgrim's Pier", "under the railway viaduct",
        "in the gardens of the salt museum", "on the island with the crooked windmill",
    ]
}
