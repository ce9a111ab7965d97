import Foundation
import YiCore
import YiTestSupport

/// The shared real corpus (`../shared/corpora/jsonl/corpus.jsonl`) with each line's language and
/// kind from `corpus.index.tsv`, read once per test process.
struct RealDocument {
    var document: Document
    var lang: String
    var kind: String
    var title: String
}

enum RealCorpus {
    static let documents: [RealDocument] = {
        let jsonlPath = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
        let indexPath = Fixtures.requireShared("corpora/jsonl/corpus.index.tsv")
        let index = try! String(contentsOfFile: indexPath, encoding: .utf8)
            .split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let lines = try! String(contentsOfFile: jsonlPath, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
        precondition(lines.count == index.count, "corpus and index disagree")
        return zip(lines, index).enumerated().map { number, pair in
            let (line, row) = pair
            let object = try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let document = Document(id: object["id"] as! String, source: object["source"] as! String,
                                    text: object["text"] as! String,
                                    location: SourceLocation(path: jsonlPath, line: number + 1))
            return RealDocument(document: document, lang: row[4], kind: row[5], title: row[8])
        }
    }()

    static func select(lang: String? = nil, kind: String? = nil, source: String? = nil) -> [RealDocument] {
        documents.filter {
            (lang == nil || $0.lang == lang) && (kind == nil || $0.kind == kind)
                && (source == nil || $0.document.source == source)
        }
    }
}
