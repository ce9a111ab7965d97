/// JSON strings: the hot path of JSONL reading (a record's text is almost all of its bytes).
extension JSONCursor {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first `"`, `\` or control byte at or after `from`, or `count`.
    ///
    /// Eight bytes at a time: `(x - 0x01…) & ~x & 0x80…` is non-zero exactly when some byte of
    /// `x` is zero, and `(w - 0x20…) & ~w & 0x80…` when some byte of `w` is below 0x20. Borrows only
    /// flag bytes *above* a true match, so the lowest flagged byte is the first special one.
    @inline(__always)
    func scanPlain(from: Int) -> Int {
        var i = from
        let raw = UnsafeRawPointer(base)
        while i + 8 <= count {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = w ^ (Self.ones &* 0x22)
            let backslash = w ^ (Self.ones &* 0x5C)
            let flags = (((quote &- Self.ones) & ~quote) | ((backslash &- Self.ones) & ~backslash)
                | ((w &- Self.ones &* 0x20) & ~w)) & Self.highBits
            if flags != 0 { return i + flags.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < count {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { return i }
            i += 1
        }
        return i
    }

    /// Parses the string whose opening quote is at `position`.
    mutating func parseString() throws(JSONLineError) -> String {
        let start = position + 1
        let special = scanPlain(from: start)
        guard special < count else { throw .malformed("unterminated string", offset: position) }
        switch base[special] {
        case 0x22:
            position = special + 1
            return try Self.makeString(base + start, special - start, lineOffset: start)
        case 0x5C:
            return try parseEscapedString(start: start, firstSpecial: special)
        default:
            throw controlCharacter(at: special)
        }
    }

    /// The slow path: copies runs and decoded escapes into the scratch buffer.
    private mutating func parseEscapedString(start: Int, firstSpecial: Int) throws(JSONLineError) -> String {
        var length = firstSpecial - start
        scratch.reserve(length + 64, keeping: 0)
        scratch.pointer.update(from: base + start, count: length)
        var i = firstSpecial
        while true {
            switch base[i] {
            case 0x22:
                position = i + 1
                return try Self.makeString(scratch.pointer, length, lineOffset: start)
            case 0x5C:
                guard i + 1 < count else { throw .malformed("unterminated string", offset: start - 1) }
                scratch.reserve(length + 4, keeping: length)
                let out = scratch.pointer + length
                switch base[i + 1] {
                case 0x22, 0x5C, 0x2F: out.pointee = base[i + 1]; length += 1; i += 2
                case UInt8(ascii: "b"): out.pointee = 0x08; length += 1; i += 2
                case UInt8(ascii: "f"): out.pointee = 0x0C; length += 1; i += 2
                case UInt8(ascii: "n"): out.pointee = 0x0A; length += 1; i += 2
                case UInt8(ascii: "r"): out.pointee = 0x0D; length += 1; i += 2
                case UInt8(ascii: "t"): out.pointee = 0x09; length += 1; i += 2
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape(at: &i)
                    length += Self.encodeUTF8(scalar, into: out)
                default:
                    position = i
                    throw .malformed("invalid escape sequence \\\(describeByteAt(i + 1))", offset: i)
                }
            default:
                throw controlCharacter(at: i)
            }
            let runStart = i
            i = scanPlain(from: i)
            guard i < count else { throw .malformed("unterminated string", offset: start - 1) }
            scratch.reserve(length + (i - runStart), keeping: length)
            (scratch.pointer + length).update(from: base + runStart, count: i - runStart)
            length += i - runStart
        }
    }

    /// Decodes `\uXXXX` (and its low half when it starts a surrogate pair) at `i`, moving past it.
    private func unicodeEscape(at i: inout Int) throws(JSONLineError) -> UInt32 {
        let first = try hex4(at: i + 2)
        let escapeStart = i
        i += 6
        switch first {
        case 0xD800..<0xDC00:
            if i + 1 < count && base[i] == 0x5C && base[i + 1] == UInt8(ascii: "u") {
                let second = try hex4(at: i + 2)
                if (0xDC00..<0xE000).contains(second) {
                    i += 6
                    return 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                }
            }
            throw .invalidUTF8("lone surrogate escape \\u\(String(first, radix: 16, uppercase: true)) (not a Unicode scalar value)", offset: escapeStart)
        case 0xDC00..<0xE000:
            throw .invalidUTF8("lone surrogate escape \\u\(String(first, radix: 16, uppercase: true)) (not a Unicode scalar value)", offset: escapeStart)
        default:
            return first
        }
    }

    private func hex4(at i: Int) throws(JSONLineError) -> UInt32 {
        guard i + 4 <= count else { throw .malformed("truncated \\u escape", offset: i - 2) }
        var value: UInt32 = 0
        for k in 0..<4 {
            let b = base[i + k]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw .malformed("invalid \\u escape: \(describeByteAt(i + k)) is not a hex digit", offset: i - 2)
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    @inline(__always)
    private static func encodeUTF8(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | scalar >> 6)
            out[1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | scalar >> 12)
            out[1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            out[2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[0] = UInt8(0xF0 | scalar >> 18)
            out[1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
            out[2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
            out[3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }

    /// One validating copy into a Swift string; invalid UTF-8 is reported with the offset of the
    /// first bad byte (`lineOffset` is where `bytes` starts in the line).
    @inline(__always)
    static func makeString(_ bytes: UnsafePointer<UInt8>, _ length: Int, lineOffset: Int) throws(JSONLineError) -> String {
        let buffer = UnsafeBufferPointer(start: bytes, count: length)
        if let string = String(validating: buffer, as: UTF8.self) { return string }
        let bad = firstInvalidUTF8(buffer)
        throw .invalidUTF8("invalid UTF-8 (byte 0x\(String(buffer[bad], radix: 16, uppercase: true)) in a string)", offset: lineOffset + bad)
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence.
    static func firstInvalidUTF8(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = buffer.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return max(0, buffer.count - 1)
            case .error: return offset
            }
        }
    }

    private func controlCharacter(at i: Int) -> JSONLineError {
        .malformed("unescaped control character U+\(String(format4: base[i])) in a string", offset: i)
    }

    func describeByteAt(_ i: Int) -> String {
        var copy = self
        copy.position = i
        return copy.describeByte()
    }
}

private extension String {
    init(format4 byte: UInt8) {
        let hex = String(byte, radix: 16, uppercase: true)
        self = String(repeating: "0", count: 4 - hex.count) + hex
    }
}
