import YiContext
import YiCore

/// A test tokenizer whose ids 0–255 are bytes and 256... are `pieces`, with no BOS/EOS.
protocol BytesAndPiecesTokenizer: TextTokenizer {
    var pieces: [String] { get }
}

extension BytesAndPiecesTokenizer {
    func decode(_ ids: [TokenID]) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if id < 256 { bytes.append(UInt8(id)) } else { bytes.append(contentsOf: pieces[Int(id) - 256].utf8) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    var vocabularySize: Int { 256 + pieces.count }
    var bosID: TokenID? { nil }
    var eosID: TokenID? { nil }
}

/// Greedy longest match over a small vocabulary (a trie over Unicode scalars); scalars outside it
/// become their UTF-8 bytes (ids 0–255). Counts are not additive: "th" + "e" is 2 pieces apart and
/// 1 ("the") together, and a cut can split or join pieces on both sides.
struct GreedyTrieTokenizer: BytesAndPiecesTokenizer {
    private struct Node: Sendable {
        var children: [UInt32: Int] = [:]
        var piece: Int?
    }
    private let nodes: [Node]
    let pieces: [String]

    init(vocabulary: [String]) {
        var nodes = [Node()]
        var pieces: [String] = []
        for word in Set(vocabulary).sorted() where !word.isEmpty {
            var current = 0
            for scalar in word.unicodeScalars {
                if let next = nodes[current].children[scalar.value] {
                    current = next
                } else {
                    nodes.append(Node())
                    nodes[current].children[scalar.value] = nodes.count - 1
                    current = nodes.count - 1
                }
            }
            nodes[current].piece = 256 + pieces.count
            pieces.append(word)
        }
        self.nodes = nodes
        self.pieces = pieces
    }

    /// English letters, frequent bigrams/trigrams, words with a leading space, digits and punctuation.
    static let english: GreedyTrieTokenizer = {
        var vocabulary = (0x20..<0x7F).map { String(UnicodeScalar(UInt8($0))) }
        vocabulary += ["th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed",
                       "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co",
                       "the", "and", "ing", "ion", "ent", "her", "for", "tha", "hat", "was", "ere", "all", "ver",
                       " the", " and", " to", " of", " a", " she", " was", " in", " it", " Alice", " said", " her",
                       " pass", " key", " is", " The", "The", " Remember", ". ", ", ", "\n\n", "  ", "’", "‘",
                       "ould", " would", " could", " little", " very", " down", " Rabbit", " thought",
                       "00", "12", "123", "2345", " grass", " green", " sky", " blue", " sun", " yellow"]
        return GreedyTrieTokenizer(vocabulary: vocabulary)
    }()

    func encode(_ text: String) -> [TokenID] {
        let scalars = Array(text.unicodeScalars)
        var ids: [TokenID] = []
        var index = 0
        while index < scalars.count {
            var current = 0, position = index
            var best: (piece: Int, end: Int)?
            while position < scalars.count, let next = nodes[current].children[scalars[position].value] {
                current = next
                position += 1
                if let piece = nodes[current].piece { best = (piece, position) }
            }
            if let best {
                ids.append(TokenID(best.piece))
                index = best.end
            } else {
                ids.append(contentsOf: UTF8.encode(scalars[index])!.map { TokenID($0) })
                index += 1
            }
        }
        return ids
    }
}

/// A SentencePiece-like BPE: text is split before each space (the space starts the next piece, like
/// `▁`), and each segment is merged by rank with merges learned from a training text. A scalar added
/// at a cut changes the merges of its whole segment, as in real BPE.
struct MiniBPETokenizer: BytesAndPiecesTokenizer {
    private let ranks: [String: Int]   // "left\u{0}right" → rank
    private let ids: [String: Int]
    let pieces: [String]

    init(training text: String, merges: Int) {
        var words: [[String]] = Self.segments(text).map { $0.unicodeScalars.map { String($0) } }
        var ranks: [String: Int] = [:]
        var vocabulary = Set(words.joined())
        for rank in 0..<merges {
            var frequency: [String: Int] = [:]
            for word in words where word.count > 1 {
                for i in 0..<(word.count - 1) { frequency[word[i] + "\u{0}" + word[i + 1], default: 0] += 1 }
            }
            // Most frequent pair; ties broken by the pair text so training is deterministic.
            guard let best = frequency.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }),
                  best.value > 1 else { break }
            ranks[best.key] = rank
            let parts = best.key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            vocabulary.insert(parts[0] + parts[1])
            words = words.map { Self.merge($0, parts[0], parts[1]) }
        }
        self.ranks = ranks
        pieces = vocabulary.sorted()
        ids = Dictionary(uniqueKeysWithValues: pieces.enumerated().map { ($1, 256 + $0) })
    }

    static let alice = MiniBPETokenizer(training: String(String.UnicodeScalarView(FillerText.builtinProse().scalars)), merges: 300)

    private static func segments(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for scalar in text.unicodeScalars {
            if scalar == " ", !current.isEmpty { result.append(current); current = "" }
            current.unicodeScalars.append(scalar)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    private static func merge(_ word: [String], _ left: String, _ right: String) -> [String] {
        var out: [String] = []
        var i = 0
        while i < word.count {
            if i + 1 < word.count, word[i] == left, word[i + 1] == right {
                out.append(left + right)
                i += 2
            } else {
                out.append(word[i])
                i += 1
            }
        }
        return out
    }

    func encode(_ text: String) -> [TokenID] {
        var result: [TokenID] = []
        for segment in Self.segments(text) {
            var parts = segment.unicodeScalars.map { String($0) }
            while parts.count > 1 {
                var best: (rank: Int, index: Int)?
                for i in 0..<(parts.count - 1) {
                    if let rank = ranks[parts[i] + "\u{0}" + parts[i + 1]], rank < (best?.rank ?? Int.max) { best = (rank, i) }
                }
                guard let best else { break }
                parts[best.index] += parts[best.index + 1]
                parts.remove(at: best.index + 1)
            }
            for part in parts {
                if let id = ids[part] { result.append(TokenID(id)) } else { result.append(contentsOf: part.utf8.map { TokenID($0) }) }
            }
        }
        return result
    }
}
