import Foundation
import Testing
import YiCore
import YiIO
@testable import YiReaders
import YiTestSupport

/// Everything a source produced: its documents, and the error that ended it (if any).
struct ReadResult {
    var documents: [Document]
    var error: YiError?
    var counters: Counters
}

func readAll(_ source: any InputDocumentSource) -> ReadResult {
    var documents: [Document] = []
    var source = source
    do {
        while let document = try source.next() { documents.append(document) }
    } catch let error as YiError {
        // The contract: after the error, the source ends.
        let after = try? source.next()
        #expect(after == nil, "a source must end after throwing")
        return ReadResult(documents: documents, error: error, counters: source.counters)
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    return ReadResult(documents: documents, error: nil, counters: source.counters)
}

/// Discovers one file and reads it through the public entry points, as the pipeline does.
func readFile(_ path: String, options: ReaderOptions = ReaderOptions(), rejects: RejectLog? = nil) throws -> ReadResult {
    let discovery = try discoverInputs([path])
    #expect(discovery.unsupported.isEmpty, "\(discovery.unsupported)")
    let input = try #require(discovery.inputs.first)
    let log = try rejects ?? RejectLog()
    return readAll(try openDocumentSource(for: input, options: options, rejects: log))
}

/// A RejectLog that writes a rejects file, and the records read back from it.
final class RecordingRejects {
    let directory = TemporaryDirectory("rejects")
    let log: RejectLog
    init(strict: Bool = false) throws { log = try RejectLog(strict: strict, rejectsPath: directory.file("rejects.jsonl")) }

    /// (line, reason) of every rejected record, in order.
    func records() throws -> [(line: Int, reason: String, detail: String)] {
        try log.finish()
        let text = try String(contentsOfFile: directory.file("rejects.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map { row in
            let object = try JSONSerialization.jsonObject(with: Data(row.utf8)) as! [String: Any]
            return (object["line"] as! Int, object["reason"] as! String, object["detail"] as! String)
        }
    }
}

/// The lines of a file as raw bytes (split on \n only, as the JSONL reader does).
func rawLines(_ path: String) -> [[UInt8]] {
    var lines = [UInt8](FileManager.default.contents(atPath: path)!).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines
}

/// The reference decoder for a JSON line (Foundation), for texts and ids.
func foundationObject(_ line: [UInt8]) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
}

/// Foundation's JSONSerialization drops U+FEFF wherever it occurs inside a string (corpus line 12
/// starts with one, as its Gutenberg origin does; the index's character counts include it). Texts
/// are compared with Foundation's without it; the counts against the index check we keep it.
func withoutBOMs(_ text: String?) -> String? {
    text.map { String(String.UnicodeScalarView($0.unicodeScalars.filter { $0 != "\u{FEFF}" })) }
}
