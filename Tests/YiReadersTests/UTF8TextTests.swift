import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

/// `UTF8Validation.isValid` (YiCore) decides which bytes become strings without a second check, so it must agree
/// with the standard library exactly.
@Suite struct UTF8TextTests {
    private func stdlibAccepts(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
    }

    private func oursAccepts(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { UTF8Validation.isValid($0) }
    }

    @Test func everySequenceOfUpToThreeBytes() {
        // All 1- and 2-byte inputs, and 3- and 4-byte inputs from every lead byte with second
        // bytes of every value and boundary continuation bytes.
        var disagreements: [[UInt8]] = []
        func compare(_ bytes: [UInt8]) {
            if oursAccepts(bytes) != stdlibAccepts(bytes) { disagreements.append(bytes) }
        }
        for a in 0...255 {
            compare([UInt8(a)])
            for b in 0...255 { compare([UInt8(a), UInt8(b)]) }
        }
        for a in 0xE0...0xF4 {
            for b in 0...255 {
                for c in [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] {
                    compare([UInt8(a), UInt8(b), UInt8(c)])
                    compare([UInt8(a), UInt8(b), UInt8(c), 0x80])
                    compare(Array("12345678".utf8) + [UInt8(a), UInt8(b), UInt8(c), 0xBF])
                }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
    }

    @Test func randomMixturesAtEveryAlignment() {
        var rng = SplitMix64(seed: 99)
        let pieces: [[UInt8]] = [
            Array("plain ascii text ".utf8), Array("é".utf8), Array("中文".utf8), Array("😀".utf8),
            [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE3, 0x80], [0xFF],
            [0xF0, 0x9F, 0x98], [0xC3], Array("12345678".utf8),
        ]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                bytes += pieces.randomElement(using: &rng)!
            }
            if oursAccepts(bytes) != stdlibAccepts(bytes) { Issue.record("disagree on \(bytes)") }
            if let string = bytes.withUnsafeBufferPointer({ UTF8Text.string($0, isASCII: false) }) {
                if Array(string.utf8) != bytes { Issue.record("string differs for \(bytes)") }
            }
        }
    }

    @Test func theCorpusIsValid() {
        let bytes = rawLines(Fixtures.requireShared("corpora/jsonl/corpus.jsonl")).flatMap { $0 }
        #expect(oursAccepts(bytes) && stdlibAccepts(bytes))
    }
}
