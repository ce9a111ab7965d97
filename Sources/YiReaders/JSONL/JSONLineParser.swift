#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// Why a line is not a usable JSON value. `offset` is the byte offset inside the line.
enum JSONLineError: Error, Equatable {
    /// Not JSON per RFC 8259 (a strict parser: no NaN, no trailing commas, no single quotes).
    case malformed(String, offset: Int)
    /// Bytes that are not UTF-8, or a `\u` escape naming a lone surrogate.
    case invalidUTF8(String, offset: Int)
}

/// A strict RFC 8259 parser for one JSON value per line, written for speed on UTF-8 bytes.
///
/// Strings are scanned eight bytes at a time for `"`, `\` and control characters and become
/// Swift strings with one validating copy; only strings with escapes go through a scratch buffer,
/// which is reused across lines. Numbers keep integer precision (`.int`) when they have no
/// fraction or exponent and fit in 64 bits. Nesting is limited so that a line of `[[[[...` cannot
/// exhaust the stack.
struct JSONLineParser {
    static let maximumDepth = 512

    let scratch = ScratchBuffer()

    /// Parses `bytes` as exactly one JSON value surrounded by optional whitespace.
    func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONLineError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw .malformed("empty input", offset: 0)
        }
        // A line of many megabytes grew the scratch buffer: give that memory back afterwards.
        defer { scratch.shrink(ifAbove: 1 << 24) }
        var cursor = JSONCursor(base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, scratch: scratch)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        if cursor.position < cursor.count {
            throw .malformed("unexpected \(cursor.describeByte()) after the JSON value", offset: cursor.position)
        }
        return value
    }
}

/// Growable bytes reused for decoding escaped strings.
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int

    static let initialCapacity = 1 << 16

    init(capacity: Int = ScratchBuffer.initialCapacity) {
        self.capacity = capacity
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    /// Returns to the initial size when larger than `limit` (contents are not kept).
    func shrink(ifAbove limit: Int) {
        guard capacity > limit else { return }
        pointer.deallocate()
        capacity = ScratchBuffer.initialCapacity
        pointer = .allocate(capacity: capacity)
    }

    /// Makes room for `needed` bytes, keeping the first `keeping`.
    @inline(__always)
    func ensureCapacity(_ needed: Int, keeping: Int) {
        if needed > capacity { grow(needed, keeping: keeping) }
    }

    private func grow(_ needed: Int, keeping: Int) {
        let newCapacity = max(needed, capacity * 2)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: pointer, count: keeping)
        pointer.deallocate()
        pointer = grown
        capacity = newCapacity
    }
}

/// Parsing state over one line. A struct, so the hot loops work on locals without the
/// exclusivity checks that class properties would cost.
struct JSONCursor {
    let base: UnsafePointer<UInt8>
    let count: Int
    var position = 0
    let scratch: ScratchBuffer

    init(base: UnsafePointer<UInt8>, count: Int, scratch: ScratchBuffer) {
        self.base = base
        self.count = count
        self.scratch = scratch
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func describeByte() -> String {
        guard position < count else { return "end of line" }
        let b = base[position]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }

    mutating func parseValue(depth: Int) throws(JSONLineError) -> JSONValue {
        guard position < count else { throw .malformed("unexpected end of line, a value was expected", offset: position) }
        switch base[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw .malformed("unexpected \(describeByte()), a value was expected", offset: position)
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONLineError) -> JSONValue {
        guard depth < JSONLineParser.maximumDepth else { throw .malformed("nesting deeper than \(JSONLineParser.maximumDepth)", offset: position) }
        position += 1
        skipWhitespace()
        var members: [(String, JSONValue)] = []
        if position < count && base[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        // One allocation for typical records (growing one by one would look up the array's
        // generic metadata at each reallocation).
        members.reserveCapacity(8)
        while true {
            guard position < count, base[position] == UInt8(ascii: "\"") else {
                throw .malformed("unexpected \(describeByte()), an object key in double quotes was expected", offset: position)
            }
            let key = try parseString()
            skipWhitespace()
            guard position < count, base[position] == UInt8(ascii: ":") else {
                throw .malformed("unexpected \(describeByte()), ':' was expected after an object key", offset: position)
            }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < count else { throw .malformed("unterminated object", offset: position) }
            switch base[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                return .object(members)
            default:
                throw .malformed("unexpected \(describeByte()), ',' or '}' was expected in an object", offset: position)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONLineError) -> JSONValue {
        guard depth < JSONLineParser.maximumDepth else { throw .malformed("nesting deeper than \(JSONLineParser.maximumDepth)", offset: position) }
        position += 1
        skipWhitespace()
        var items: [JSONValue] = []
        if position < count && base[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < count else { throw .malformed("unterminated array", offset: position) }
            switch base[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                return .array(items)
            default:
                throw .malformed("unexpected \(describeByte()), ',' or ']' was expected in an array", offset: position)
            }
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONLineError) {
        let length = literal.utf8CodeUnitCount
        let matches = position + length <= count && memcmp(base + position, literal.utf8Start, length) == 0
        guard matches else { throw .malformed("unexpected \(describeByte()), a value was expected", offset: position) }
        position += length
    }
}
