/// A strict RFC 8259 JSON parser producing `JSONValue` (no Foundation).
///
/// Keeps what `JSONWriter` needs to write a document back unchanged: object key order (duplicate
/// keys are kept, in order; `JSONValue`'s subscript sees the first), and the integer/float
/// distinction (`4096` stays `.int`, `4096.0` and `1e3` become `.double`; integers outside Int64
/// become `.double`). Strict: no comments, trailing commas, leading zeros, NaN/Infinity, raw control
/// characters in strings, invalid escapes, lone surrogates or invalid UTF-8. A leading UTF-8 BOM is
/// skipped. Errors are `YiError(.corruptInput)` with the byte offset of the problem.
public enum JSONParser {
    /// Nesting deeper than this is rejected rather than risking the stack on hostile input.
    public static let maximumDepth = 512

    public static func parse(_ text: String) throws -> JSONValue {
        var text = text
        return try text.withUTF8 { try parse(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Each non-empty line of a JSON Lines text, parsed (`index` counts the non-empty lines
    /// from 0). Lines are cut at "\n" bytes: splitting the `String` by `Character` cost about
    /// 20,000 instructions a line (grapheme breaking) in `verify`'s provenance check.
    public static func forEachLine(of text: String, _ body: (_ index: Int, _ value: Result<JSONValue, Error>) throws -> Void) rethrows {
        var text = text
        try text.withUTF8 { utf8 in
            var index = 0
            var start = 0
            while start < utf8.count {
                let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.count
                if end > start {
                    let line = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[start..<end])
                    try body(index, Result { try parse(bytes: line) })
                    index += 1
                }
                start = end + 1
            }
        }
    }

    public static func parse(bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var cursor = Cursor(bytes: bytes.bindMemory(to: UInt8.self))
        if cursor.bytes.count >= 3, cursor.bytes[0] == 0xEF, cursor.bytes[1] == 0xBB, cursor.bytes[2] == 0xBF {
            cursor.position = 3
        }
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        if cursor.position != cursor.bytes.count {
            throw cursor.error("unexpected data after the JSON value")
        }
        return value
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func error(_ message: String, at offset: Int? = nil) -> YiError {
            YiError(.corruptInput, "invalid JSON: \(message)", context: .init(byteOffset: Int64(offset ?? position)))
        }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: StaticString, value: JSONValue) throws -> JSONValue {
            let start = position
            let count = literal.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw error("unknown literal", at: start) }
            let matches = literal.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
            }
            guard matches else { throw error("unknown literal", at: start) }
            position += count
            return value
        }

        mutating func parseValue(depth: Int) throws -> JSONValue {
            guard let byte = current else { throw error("unexpected end of input") }
            switch byte {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
            case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
            case UInt8(ascii: "n"): return try expect("null", value: .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error("unexpected character")
            }
        }

        mutating func parseObject(depth: Int) throws -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
            position += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after an object key") }
                position += 1
                skipWhitespace()
                members.append((key, try parseValue(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"): position += 1; return .object(members)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func parseArray(depth: Int) throws -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                skipWhitespace()
                items.append(try parseValue(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"): position += 1; return .array(items)
                default: throw error("expected ',' or ']' in an array")
                }
            }
        }

        /// Strings without escapes (the common case) are validated and copied in one step.
        mutating func parseString() throws -> String {
            let open = position
            position += 1
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    position += 1
                    guard let text = String(validating: raw, as: UTF8.self) else {
                        throw error("invalid UTF-8 in a string", at: start)
                    }
                    return text
                }
                if byte == UInt8(ascii: "\\") { return try parseEscapedString(from: start) }
                if byte < 0x20 { throw error("control character in a string") }
                position += 1
            }
            throw error("unterminated string", at: open)
        }

        mutating func parseEscapedString(from start: Int) throws -> String {
            var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    guard let text = String(validating: out, as: UTF8.self) else {
                        throw error("invalid UTF-8 in a string", at: start)
                    }
                    return text
                case UInt8(ascii: "\\"):
                    let escapeStart = position
                    position += 1
                    guard let code = current else { break }
                    position += 1
                    switch code {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"): appendUTF8(try parseUnicodeEscape(escapeStart: escapeStart), to: &out)
                    default: throw error("invalid escape sequence", at: escapeStart)
                    }
                default:
                    if byte < 0x20 { throw error("control character in a string") }
                    out.append(byte)
                    position += 1
                }
            }
            throw error("unterminated string", at: start - 1)
        }

        /// `\uXXXX`, joining a UTF-16 surrogate pair written as two escapes.
        mutating func parseUnicodeEscape(escapeStart: Int) throws -> Unicode.Scalar {
            let first = try parseHex4(escapeStart: escapeStart)
            if (0xD800...0xDBFF).contains(first) {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("unpaired UTF-16 surrogate escape", at: escapeStart)
                }
                position += 2
                let second = try parseHex4(escapeStart: escapeStart)
                guard (0xDC00...0xDFFF).contains(second) else { throw error("unpaired UTF-16 surrogate escape", at: escapeStart) }
                let value = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                return Unicode.Scalar(value)!
            }
            guard let scalar = Unicode.Scalar(first) else { throw error("unpaired UTF-16 surrogate escape", at: escapeStart) }
            return scalar
        }

        mutating func parseHex4(escapeStart: Int) throws -> UInt32 {
            guard bytes.count - position >= 4 else { throw error("truncated \\u escape", at: escapeStart) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("invalid \\u escape", at: escapeStart)
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
            out.append(contentsOf: UTF8.encode(scalar)!)
        }

        /// Grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
        mutating func parseNumber() throws -> JSONValue {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, isDigit(first) else { throw error("invalid number", at: start) }
            position += 1
            if first == UInt8(ascii: "0"), let next = current, isDigit(next) {
                throw error("leading zero in a number", at: start)
            }
            skipDigits()
            var isInteger = true
            if current == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard let digit = current, isDigit(digit) else { throw error("invalid number", at: start) }
                skipDigits()
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let digit = current, isDigit(digit) else { throw error("invalid number", at: start) }
                skipDigits()
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .int(integer) }
            guard let double = Double(text), double.isFinite else { throw error("number out of range", at: start) }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func skipDigits() {
            while let byte = current, isDigit(byte) { position += 1 }
        }
    }
}
