import YiCore
@testable import YiFilters

/// Hand-made texts for the filter tests: seeded, varied English and Chinese "prose" that passes
/// every Gopher rule, and helpers to spoil it one rule at a time.
enum TextSamples {
    static let englishVocabulary: [String] = """
        river morning window garden letter mother story village winter summer doctor teacher \
        market station kitchen forest mountain island harbour painting silence journey evening \
        brother captain friend stranger candle bridge meadow orchard lantern whisper thunder \
        walked carried noticed remembered wondered listened followed answered gathered painted \
        quietly slowly bright narrow ancient gentle crooked golden distant heavy patient \
        across beneath beyond during against toward without between around through
        """.split(separator: " ").map(String.init)
    static let englishStopWords = ["the", "of", "and", "to", "with", "that"]

    /// `count` words of English-like prose in sentences of 8–14 words, one line per sentence.
    static func english(words count: Int, seed: UInt64 = 1, stopWords: Bool = true, lineBreaks: Bool = true) -> String {
        var rng = SplitMix64(seed: seed)
        var out = ""
        var inSentence = 0
        var sentenceLength = 8 + Int(rng.next() % 7)
        for i in 0..<count {
            let useStop = stopWords && rng.next() % 4 == 0
            var word = useStop ? englishStopWords[Int(rng.next() % UInt64(englishStopWords.count))]
                : englishVocabulary[Int(rng.next() % UInt64(englishVocabulary.count))]
            if inSentence == 0 { word = word.prefix(1).uppercased() + word.dropFirst() }
            out += word
            inSentence += 1
            if inSentence == sentenceLength || i == count - 1 {
                out += "."
                out += lineBreaks ? "\n" : " "
                inSentence = 0
                sentenceLength = 8 + Int(rng.next() % 7)
            } else {
                out += " "
            }
        }
        return out
    }

    static let chineseCharacters = Array(
        "春江潮水连海平明月共生滟随波千万里何处无光流宛转绕芳甸花林皆似霰空里流霜不觉飞汀上白沙看见天一色纤尘皎孤轮畔人初照年代穷已只相望但待送长")
    static let chineseFunctionCharacters = Array("的了是在和有也不")

    /// `count` Chinese characters in clauses of 5–9 characters separated by `，`/`。`.
    static func chinese(characters count: Int, seed: UInt64 = 1) -> String {
        var rng = SplitMix64(seed: seed)
        var out = ""
        var inClause = 0
        var clauses = 0
        for i in 0..<count {
            let pool = rng.next() % 5 == 0 ? chineseFunctionCharacters : chineseCharacters
            out.append(pool[Int(rng.next() % UInt64(pool.count))])
            inClause += 1
            if inClause >= 5 + Int(rng.next() % 5) || i == count - 1 {
                clauses += 1
                out += clauses % 3 == 0 || i == count - 1 ? "。" : "，"
                if clauses % 6 == 0 { out += "\n" }
                inClause = 0
            }
        }
        return out
    }
}
