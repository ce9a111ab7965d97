import Foundation
import YiCore
import YiTestSupport

/// A corpus of distinct real documents (../shared/corpora/jsonl) with planted copies spread over
/// three files, each copy after its original in input order: exact copies, whitespace changes,
/// one rewritten sentence, added boilerplate, ~3% of words replaced.
struct PlantedDuplicateCorpus {
    /// Files in input order.
    var files: [String]
    /// Ids of the planted copies, with the id of their original (what dedup must drop / keep).
    var planted: [String: String]
    /// Ids of the distinct documents (must all be kept).
    var distinct: Set<String>

    static let kinds = ["exact", "whitespace", "sentence", "boilerplate", "words"]

    /// Words for the ground truth: lowercased letter/digit runs, each Han/Kana character a word.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var word = ""
        for scalar in text.lowercased().unicodeScalars {
            let v = scalar.value
            if (0x3040...0x30FF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x4E00...0x9FFF).contains(v) {
                if !word.isEmpty { out.append(word); word = "" }
                out.append(String(scalar))
            } else if scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar)) {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty { out.append(word); word = "" }
        }
        if !word.isEmpty { out.append(word) }
        return out
    }

    /// Word 5-grams, each as a hash of its words (Swift's hasher: fine within one process).
    static func shingles(_ text: String) -> Set<Int> {
        let w = words(text)
        guard w.count >= 5 else { return [w.hashValue] }
        return Set((0...(w.count - 5)).map { w[$0..<($0 + 5)].joined(separator: " ").hashValue })
    }

    static func jaccard(_ a: Set<Int>, _ b: Set<Int>) -> Double {
        let common = a.count < b.count ? a.filter(b.contains).count : b.filter(a.contains).count
        return Double(common) / Double(max(1, a.count + b.count - common))
    }

    static func variant(_ text: String, kind: String) -> String {
        switch kind {
        case "exact": return text
        case "whitespace":
            return text.replacingOccurrences(of: " ", with: "  ").replacingOccurrences(of: "\n", with: " \n\t")
        case "sentence":
            for separator in [". ", "。", "\n"] {
                var parts = text.components(separatedBy: separator)
                if parts.count >= 3 {
                    parts[parts.count / 2] = "An editor rewrote this sentence completely for the planted test"
                    return parts.joined(separator: separator)
                }
            }
            return text + " An editor added this sentence."
        case "boilerplate":
            return text + "\n\nCookie notice: this site uses cookies to improve your experience. Subscribe to our newsletter. All rights reserved."
        default:
            var n = 0
            return text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
                n += 1
                return n % 33 == 0 ? "zebra" : String(word)
            }.joined(separator: " ")
        }
    }

    /// The distinct documents, chosen once per test process (the pairwise check is the slow part).
    static let base: [(id: String, source: String, text: String)] = {
        let path = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
        var base: [(id: String, source: String, text: String, shingles: Set<Int>)] = []
        for line in try! String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let record = try! JSONParser.parse(String(line))
            guard let text = record["text"]?.stringValue, words(text).count >= 80 else { continue }
            let s = shingles(text)
            // Ground truth independent of yi-prep: distinct means below 0.2 Jaccard to every other.
            guard base.allSatisfy({ jaccard($0.shingles, s) < 0.2 }) else { continue }
            base.append(("orig-\(base.count)", record["source"]?.stringValue ?? "x", text, s))
        }
        return base.map { ($0.id, $0.source, $0.text) }
    }()

    /// Writes the corpus into `directory`.
    static func make(in directory: TemporaryDirectory) throws -> PlantedDuplicateCorpus {
        let base = Self.base
        func line(_ id: String, _ source: String, _ text: String) -> String {
            JSONWriter.string(.object([("id", .string(id)), ("source", .string(source)), ("text", .string(text))])) + "\n"
        }
        let third = base.count / 3
        var contents = ["", "", ""]
        var planted: [String: String] = [:]
        for (n, doc) in base.enumerated() {
            let file = min(2, n / max(1, third))
            contents[file] += line(doc.id, doc.source, doc.text)
        }
        // Every second document gets a copy, in a later file (or later in the last file).
        for (n, doc) in base.enumerated() where n % 2 == 0 {
            let kind = kinds[(n / 2) % kinds.count]
            let file = min(2, n / max(1, third) + 1)
            let id = "dup-\(n)-\(kind)"
            contents[file] += line(id, doc.source, variant(doc.text, kind: kind))
            planted[id] = doc.id
        }
        try FileManager.default.createDirectory(atPath: directory.file("corpus"), withIntermediateDirectories: true)
        let files = ["a.jsonl", "b.jsonl", "c.jsonl"].enumerated().map { directory.write("corpus/\($0.element)", contents[$0.offset]) }
        return PlantedDuplicateCorpus(files: files, planted: planted, distinct: Set(base.map(\.id)))
    }
}
