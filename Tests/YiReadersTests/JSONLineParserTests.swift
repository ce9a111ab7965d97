import Foundation
import Testing
import YiCore
@testable import YiReaders
import YiTestSupport

private func parse(_ text: String) -> Result<JSONValue, JSONLineError> {
    parse(Array(text.utf8))
}

private func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONLineError> {
    let parser = JSONLineParser()
    return bytes.withUnsafeBytes { raw in Result { () throws(JSONLineError) in try parser.parse(raw) } }
}

private func isMalformed(_ result: Result<JSONValue, JSONLineError>) -> Bool {
    if case .failure(.malformed) = result { return true }
    return false
}

private func isInvalidUTF8(_ result: Result<JSONValue, JSONLineError>) -> Bool {
    if case .failure(.invalidUTF8) = result { return true }
    return false
}

@Suite struct JSONLineParserTests {
    @Test func valuesOfEveryKind() throws {
        let value = try parse(#" {"a": [1, -2, 3.5, -0.25e2, 1E+3, true, false, null, "s"], "b": {}, "c": [], "d": {"e": ""}} "#).get()
        #expect(value == .object([
            ("a", .array([.int(1), .int(-2), .double(3.5), .double(-25), .double(1000), .bool(true), .bool(false), .null, .string("s")])),
            ("b", .object([])), ("c", .array([])), ("d", .object([("e", .string(""))])),
        ]))
    }

    @Test func integersKeepPrecisionUpTo64Bits() throws {
        #expect(try parse("9223372036854775807").get() == .int(.max))
        #expect(try parse("-9223372036854775808").get() == .int(.min))
        #expect(try parse("9223372036854775808").get() == .double(9223372036854775808))
        #expect(try parse("-0").get() == .int(0))
        #expect(try parse("12345678901234567890123").get() == .double(Double("12345678901234567890123")!))
    }

    @Test func escapes() throws {
        #expect(try parse(#""\" \\ \/ \b \f \n \r \t \u0041 \u00e9 \u4E2D \u0000""#).get()
                == .string("\" \\ / \u{8} \u{C} \n \r \t A é 中 \u{0}"))
        #expect(try parse(#""\ud83d\ude00 and \uD840\uDC00""#).get() == .string("😀 and \u{20000}"))
        // Long strings with escapes far apart go through the scratch buffer's growth.
        let long = String(repeating: "abcdefgh", count: 20_000)
        #expect(try parse("\"\(long)\\n\(long)\\u00e9\"").get() == .string(long + "\n" + long + "é"))
    }

    @Test func scratchMemoryIsGivenBackAfterAHugeLine() throws {
        let parser = JSONLineParser()
        let huge = "\"" + String(repeating: "line\\n", count: 3_000_000) + "\""
        let value = try Array(huge.utf8).withUnsafeBytes { try parser.parse($0) }
        #expect(value.stringValue?.utf8.count == 15_000_000)
        #expect(parser.scratch.capacity == ScratchBuffer.initialCapacity)
    }

    @Test func loneSurrogatesAreInvalidUTF8() {
        for text in [#""\ud83d""#, #""\ud83d x""#, #""\ude00""#, #""\ud83d\u0041""#, #""a\uDBFF""#] {
            #expect(isInvalidUTF8(parse(text)), "\(text)")
        }
    }

    @Test func invalidUTF8BytesAreReportedWithTheirOffset() {
        let cases: [[UInt8]] = [
            [0x22, 0xC0, 0xAF, 0x22],               // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],         // UTF-8-encoded surrogate
            [0x22, 0xE3, 0x80, 0x22],               // truncated 3-byte sequence
            [0x22, 0x80, 0x22],                     // lone continuation byte
            [0x22, 0xFF, 0xFE, 0x22],               // never valid
            [0x22, 0x5C, 0x6E, 0xF8, 0x22],         // after an escape (slow path)
        ]
        for bytes in cases {
            #expect(isInvalidUTF8(parse(bytes)), "\(bytes)")
        }
        if case .failure(.invalidUTF8(_, let offset)) = parse(Array("{\"k\": \"abc".utf8) + [0xFF] + Array("\"}".utf8)) {
            #expect(offset == 10)
        } else {
            Issue.record("expected invalid UTF-8")
        }
    }

    @Test func strictRejections() {
        let malformed = [
            "", "   ", "{", "}", "{\"a\" 1}", "{\"a\": 1,}", "[1,]", "[1 2]", "{'a': 1}", "{a: 1}",
            "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": -}", "{\"a\": 01}", "{\"a\": 1.}", "{\"a\": .5}",
            "{\"a\": 1e}", "{\"a\": +1}", "{\"a\": tru}", "{\"a\": nul}", "{\"a\": \"x}", "\"abc",
            "{\"a\": \"\\x41\"}", "{\"a\": \"\\q\"}", "{\"a\": \"\\u12G4\"}", "{\"a\": \"\\u12\"}",
            "{\"a\": 1}{\"b\": 2}", "{\"a\": 1} x", "{\"a\": \"tab\there\"}", "{\"a\": \"\u{1}\"}",
            "{\"a\": \"ok\"", "[\"a\", ", "{\"a\":}", "{,}", "{\"a\":1,,\"b\":2}", "\u{FEFF}{}",
        ]
        for text in malformed {
            #expect(isMalformed(parse(text)), "\(text.debugDescription) must be rejected")
        }
    }

    @Test func nestingIsLimited() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(isMalformed(parse(deep)))
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect((try? parse(fine).get()) != nil)
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let value = randomValue(depth: 0, rng: &rng)
            let text = JSONWriter.string(value)
            #expect(try parse(text).get() == value, "\(text)")
        }
    }

    @Test func agreesWithFoundationOnEveryCorpusLine() throws {
        let parser = JSONLineParser()
        for line in rawLines(Fixtures.requireShared("corpora/jsonl/corpus.jsonl")) {
            let ours = try line.withUnsafeBytes { raw in try parser.parse(raw) }
            let reference = try #require(foundationObject(line))
            #expect(withoutBOMs(ours["text"]?.stringValue) == withoutBOMs(reference["text"] as? String))
            #expect(ours["id"]?.stringValue == reference["id"] as? String)
        }
    }
}

// Deterministic random JSON values (`SplitMix64`) covering escapes and non-ASCII text.
private func randomString(_ rng: inout SplitMix64) -> String {
    let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "é", "中", "😀",
                                      "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "\u{7F}"]
    let length = Int.random(in: 0...12, using: &rng)
    return String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &rng)! }))
}

private func randomValue(depth: Int, rng: inout SplitMix64) -> JSONValue {
    switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int64.random(in: .min ... .max, using: &rng))
    case 3: return .double(Double(Int.random(in: -1_000_000...1_000_000, using: &rng)) / 64 + 0.5)
    case 4: return .string(randomString(&rng))
    case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
    default:
        return .object((0..<Int.random(in: 0...4, using: &rng)).map { _ in (randomString(&rng), randomValue(depth: depth + 1, rng: &rng)) })
    }
}
