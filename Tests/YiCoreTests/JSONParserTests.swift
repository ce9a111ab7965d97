import Testing
import YiCore

@Suite struct JSONParserTests {
    @Test func keepsKeyOrderAndIntegerness() throws {
        let value = try JSONParser.parse(#"{"b": 1, "a": 2.0, "c": [true, false, null], "d": {"z": -0.5e2, "y": "x"}}"#)
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.map(\.0) == ["b", "a", "c", "d"])
        #expect(value["b"] == .int(1))
        #expect(value["a"] == .double(2.0))
        #expect(value["c"] == .array([.bool(true), .bool(false), .null]))
        #expect(value.value(atPath: "d.z") == .double(-50))
        #expect(value.value(atPath: "d.y") == .string("x"))
    }

    @Test func roundTripsThroughWriter() throws {
        let text = #"{"architectures":["LlamaForCausalLM"],"hidden_size":7168,"rope_theta":5000000.0,"rope_scaling":null,"torch_dtype":"bfloat16","eps":1e-05}"#
        let value = try JSONParser.parse(text)
        #expect(try JSONParser.parse(JSONWriter.string(value)) == value)
        #expect(try JSONParser.parse(JSONWriter.string(value, pretty: true)) == value)
        #expect(JSONWriter.string(value).hasPrefix(#"{"architectures":["LlamaForCausalLM"],"hidden_size":7168,"rope_theta":5000000.0,"#))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
        #expect(try JSONParser.parse(#""\u00e9\u4e2d\ud83d\ude00""#) == .string("é中😀"))
        #expect(try JSONParser.parse("\"中文 raw\"") == .string("中文 raw"))
    }

    @Test func largeIntegersBecomeDoubles() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(Int64.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int64.min))
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808.0))
    }

    @Test func skipsLeadingBOM() throws {
        #expect(try JSONParser.parse(bytes: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.int(1)]))
    }

    @Test(arguments: [
        ("", 0), ("{", 1), ("[1,]", 3), (#"{"a":1,}"#, 7), ("01", 0), ("1.", 0), ("-", 0), ("1e", 0),
        ("NaN", 0), ("tru", 0), (#""abc"#, 0), ("\"a\u{1}b\"", 2), (#""\x""#, 1), (#""\ud800""#, 1),
        (#""\udc00""#, 1), ("[1] x", 4), ("{\"a\" 1}", 5), ("1e999", 0), ("// c\n1", 0),
    ])
    func rejectsInvalidInput(text: String, offset: Int64) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("accepted invalid JSON: \(text)")
        } catch let error as YiError {
            #expect(error.code == .corruptInput)
            #expect(error.context.byteOffset == offset, "\(text): \(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: YiError.self) { try JSONParser.parse(bytes: [0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(throws: YiError.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try JSONParser.parse(ok) }
    }
}

@Suite struct JSONWriterIDTests {
    @Test func idsAreWrittenLikeJSONNumbers() throws {
        var text = ""
        JSONWriter.appendIDs([0, 7, 10, 63999, UInt32.max], to: &text)
        #expect(text == "[0, 7, 10, 63999, 4294967295]")
        var bytes: [UInt8] = []
        JSONWriter.appendIDs([Int64.min + 1, -5, 0], to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "[-9223372036854775807, -5, 0]")
        var empty = ""
        JSONWriter.appendIDs([UInt32](), to: &empty)
        #expect(empty == "[]")
        #expect(try JSONParser.parse(text) == .array([.int(0), .int(7), .int(10), .int(63999), .int(4294967295)]))
    }
}

@Suite struct JSONWriterBytesTests {
    /// Ids below 65,536 take the table; every one of them, and single ids, against the generic writer.
    @Test func tableIDsMatchTheGenericWriter() {
        let all = (0..<TokenID(65_536)).map { $0 }
        for ids in [all, [65_535], [0], [10, 9], Array(all.reversed().prefix(1000))] {
            var fast: [UInt8] = [UInt8(ascii: "y")]
            JSONWriter.appendIDs(ids, to: &fast)
            var generic: [UInt8] = [UInt8(ascii: "y")]
            JSONWriter.appendIDs(ids.map { Int64($0) }, to: &generic)
            #expect(fast == generic)
        }
    }

    @Test func tokenIDsMatchTheGenericWriter() {
        let ids: [TokenID] = [0, 1, 9, 10, 99, 100, 999, 1000, 63999, 64000, 123456789, 999999999, 1000000000, UInt32.max]
        var fast: [UInt8] = [UInt8(ascii: "x")]
        JSONWriter.appendIDs(ids, to: &fast)
        var generic: [UInt8] = [UInt8(ascii: "x")]
        JSONWriter.appendIDs(ids.map { Int64($0) }, to: &generic)
        #expect(fast == generic)
        #expect(String(decoding: fast, as: UTF8.self)
                == "x[0, 1, 9, 10, 99, 100, 999, 1000, 63999, 64000, 123456789, 999999999, 1000000000, 4294967295]")
        var empty: [UInt8] = []
        JSONWriter.appendIDs([TokenID](), to: &empty)
        #expect(empty == Array("[]".utf8))
    }

    @Test func quotedBytesMatchTheStringWriter() {
        let samples = ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{1f}\u{7f}",
                       "中文 \u{2028} sep \u{2029} end", "emoji 🎉 é", "\u{2027}\u{202A}", "ends with \\"]
        for sample in samples {
            var text = ""
            JSONWriter.appendQuoted(sample, to: &text)
            var bytes: [UInt8] = []
            JSONWriter.appendQuoted(sample, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == text, "\(sample.debugDescription)")
        }
    }
}

@Suite struct JSONLinesTests {
    @Test func nonEmptyLinesAreParsedInOrder() throws {
        var seen: [(Int, Int64?)] = []
        JSONParser.forEachLine(of: "{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":\"中\"}\n[") { index, value in
            seen.append((index, (try? value.get())?["a"]?.intValue))
        }
        #expect(seen.map(\.0) == [0, 1, 2, 3])
        #expect(seen.map(\.1) == [1, 2, nil, nil])   // "中" is no integer; "[" does not parse
    }

    @Test func emptyTextHasNoLines() {
        var count = 0
        JSONParser.forEachLine(of: "") { _, _ in count += 1 }
        JSONParser.forEachLine(of: "\n\n") { _, _ in count += 1 }
        #expect(count == 0)
    }
}
