import Foundation
import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

/// Every line of the damaged JSONL files against the expectations in corpora/SOURCES.md (C3).
@Suite struct JSONLDamagedFileTests {
    /// Reads `file`, checks which lines became documents and which were rejected for what reason,
    /// and checks each document's text against Foundation's decoding of the same line.
    private func check(_ file: String, documents expectedLines: [Int], rejects expectedRejects: [Int: String],
                       options: ReaderOptions = ReaderOptions()) throws -> ReadResult {
        let path = Fixtures.requireShared("corpora/damaged/\(file)")
        let rejects = try RecordingRejects()
        let result = try readFile(path, options: options, rejects: rejects.log)
        #expect(result.error == nil)
        #expect(result.documents.map { $0.location.line } == expectedLines)
        let recorded = try rejects.records()
        #expect(Dictionary(uniqueKeysWithValues: recorded.map { ($0.line, $0.reason) }) == expectedRejects)
        #expect(recorded.count == expectedRejects.count)
        let lines = rawLines(path)
        #expect(lines.count == expectedLines.count + expectedRejects.count, "every line is accounted for")
        for document in result.documents {
            var bytes = lines[document.location.line! - 1]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            if bytes.last == 0x0D { bytes.removeLast() }
            let reference = try #require(foundationObject(bytes))
            #expect(withoutBOMs(document.text) == withoutBOMs(reference[options.textField] as? String), "line \(document.location.line!)")
        }
        return result
    }

    @Test func badTextField() throws {
        let result = try check("bad_text_field.jsonl", documents: [1, 7, 14], rejects: [
            2: "missing-text", 3: "non-string-text", 4: "non-string-text", 5: "non-string-text",
            6: "non-string-text", 8: "non-string-text", 9: "empty-text", 10: "missing-text",
            11: "missing-text", 12: "duplicate-text-field", 13: "empty-text",
        ])
        // L14 has no id and no source: file:line and a name from the path.
        let last = try #require(result.documents.last)
        #expect(last.id == Fixtures.sharedPath("corpora/damaged/bad_text_field.jsonl") + ":14")
        #expect(last.source == "bad_text_field")
        #expect(last.meta.isEmpty)
        // The others keep their id, source and metadata (the text is not duplicated into meta).
        let first = result.documents[0]
        #expect(first.meta["text"] == nil && first.meta["id"]?.stringValue == first.id)
        #expect(first.source == first.meta["source"]?.stringValue)
    }

    @Test func emptyLinesAreCountedNotFatalAndCRLFIsTolerated() throws {
        let rejects = try RecordingRejects(strict: true)
        let path = Fixtures.requireShared("corpora/damaged/empty_lines.jsonl")
        let result = try readFile(path, rejects: rejects.log)
        #expect(result.error == nil, "blank lines never stop a --strict run")
        #expect(result.documents.map { $0.location.line } == [1, 3, 5, 9, 11, 12])
        #expect(result.documents.allSatisfy { !$0.text.isEmpty && !$0.id.hasSuffix("\r") })
        #expect(try rejects.records().map(\.line) == [2, 4, 6, 7, 8, 10, 13])
        #expect(try rejects.records().allSatisfy { $0.reason == "empty-line" })

        _ = try check("empty_lines.jsonl", documents: [1, 3, 5, 9, 11, 12],
                      rejects: [2: "empty-line", 4: "empty-line", 6: "empty-line", 7: "empty-line",
                                8: "empty-line", 10: "empty-line", 13: "empty-line"])
    }

    @Test func invalidUTF8() throws {
        let result = try check("invalid_utf8.jsonl", documents: [1, 10, 11], rejects: [
            2: "invalid-utf8", 3: "invalid-utf8", 4: "invalid-utf8", 5: "invalid-utf8",
            6: "invalid-utf8", 7: "invalid-utf8", 8: "invalid-utf8", 9: "invalid-utf8",
        ])
        // L10: properly paired surrogate escapes decode to U+1F600 and U+20000.
        let paired = result.documents[1].text.unicodeScalars.map(\.value)
        #expect(paired.contains(0x1F600) && paired.contains(0x20000))
        #expect(!result.documents[0].text.hasPrefix("\u{FEFF}"), "the BOM before line 1 is not text")
    }

    @Test func malformedLines() throws {
        _ = try check("malformed_lines.jsonl", documents: [1, 3, 14, 17], rejects: [
            2: "malformed-json", 4: "malformed-json", 5: "malformed-json", 6: "malformed-json",
            7: "not-an-object", 8: "malformed-json", 9: "malformed-json", 10: "malformed-json",
            11: "malformed-json", 12: "not-an-object", 13: "not-an-object", 15: "malformed-json",
            16: "malformed-json",
        ])
    }

    @Test func strictModeStopsAtTheFirstRejectedRecord() throws {
        let path = Fixtures.requireShared("corpora/damaged/malformed_lines.jsonl")
        let result = try readFile(path, rejects: try RejectLog(strict: true))
        #expect(result.documents.map { $0.location.line } == [1])
        #expect(result.error?.code == .rejectedRecord)
        #expect(result.error?.context.line == 2 && result.error?.context.path == path)
    }

    @Test func aLineOfMoreThanAMebibyteIsReadWhole() throws {
        let result = try check("long_line.jsonl", documents: [1, 2, 3], rejects: [:])
        #expect(result.documents[1].text.unicodeScalars.count == 1_111_402)
        #expect(result.documents[1].text.utf8.count > 1_100_000)
    }
}
