import Testing
import YiCore
@testable import YiShards

/// Provenance lines are written byte by byte; they must be the bytes the general JSON writer
/// gives for the same record (which is what `verify` and `inspect` parse back).
@Suite struct ProvenanceLineTests {
    static let ids = ["doc-17", "", "with \"quotes\" and \\ backslash", "tab\there\nnewline\r\u{1}\u{1F}",
                      "中文标识", "emoji 🙂", "separators \u{2028} \u{2029}", "wiki:12345", String(repeating: "x", count: 300)]

    @Test(arguments: ids)
    func bytesEqualTheGeneralWriter(id: String) throws {
        let records = [
            Provenance.Record(ordinal: 0, input: 0, line: nil, byteOffset: nil, id: id),
            Provenance.Record(ordinal: 1 << 40 | 65, input: 3, line: 17, byteOffset: 5231, id: id),
            Provenance.Record(ordinal: Int.max, input: 99, line: 1, byteOffset: nil, id: id),
            Provenance.Record(ordinal: 9, input: 12, line: nil, byteOffset: Int64.max, id: id),
            Provenance.Record(ordinal: 10, input: -1, line: 0, byteOffset: 0, id: id),
        ]
        for record in records {
            var bytes: [UInt8] = []
            record.appendJSON(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == JSONWriter.string(record.json))
            #expect(try Provenance.Record(json: JSONParser.parse(String(decoding: bytes, as: UTF8.self))) == record)
        }
    }

    @Test func integersMatchStringConversion() {
        for value: Int64 in [0, 1, 9, 10, 99, 100, 12345, -1, -10, -987654321, Int64.max, Int64.min, Int64.min + 1] {
            var bytes: [UInt8] = []
            JSONWriter.appendInteger(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == String(value))
        }
    }
}
