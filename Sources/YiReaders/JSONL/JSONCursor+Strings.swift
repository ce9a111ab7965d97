/// JSON strings: the hot path of JSONL reading (a record's text is almost all of its bytes).
extension JSONCursor {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Index of the first `"`, `\` or control byte at or after `from`, or `count`; ORs every
    /// byte passed over into `seen` (its high bits then tell whether the run was all ASCII).
    ///
    /// Eight bytes at a time: `(x - 0x01…) & ~x & 0x80…` is non-zero exactly when some byte of
    /// `x` is zero, and `(w - 0x20…) & ~w & 0x80…` when some byte of `w` is below 0x20. Borrows only
    /// flag bytes *above* a true match, so the lowest flagged byte is the first special one.
    @inline(__always)
    func scanPlain(from: Int, seen: inout UInt64) -> Int {
        var i = from
        let raw = UnsafeRawPointer(base)
        while i + 8 <= count {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let flags = Self.specialBytes(w)
            if flags != 0 {
                let special = flags.trailingZeroBitCount / 8
                // Only the bytes before the special one belong to the run.
                seen |= special == 0 ? 0 : w & (~UInt64(0) >> (64 - 8 * special))
                return i + special
            }
            seen |= w
            i += 8
        }
        while i < count {
            let b = base[i]
            if b == 0x22 || b == 0x5C || b < 0x20 { return i }
            seen |= UInt64(b)
            i += 1
        }
        return i
    }

    /// The high bit of each byte of `w` that is `"`, `\` or below 0x20 (exact for the lowest one).
    @inline(__always)
    static func specialBytes(_ w: UInt64) -> UInt64 {
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        return (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((w &- ones &* 0x20) & ~w)) & highBits
    }

    /// Parses the string whose opening quote is at `position`.
    mutating func parseString() throws(JSONLineError) -> String {
        let start = position + 1
        var seen: UInt64 = 0
        let special = scanPlain(from: start, seen: &seen)
        guard special < count else { throw .malformed("unterminated string", offset: position) }
        switch base[special] {
        case 0x22:
            position = special + 1
            return try Self.makeString(base + start, special - start, ascii: seen & Self.highBits == 0, lineOffset: start)
        case 0x5C:
            return try parseEscapedString(start: start, firstSpecial: special, seen: seen)
        default:
            throw controlCharacter(at: special)
        }
    }

    /// Strings with escapes: runs are copied eight bytes at a time while they are scanned, and
    /// escapes decoded, into the scratch buffer. Decoding never lengthens the text, so the rest of
    /// the line (plus 8 bytes of slack for the word stores) bounds the space needed, reserved once.
    private mutating func parseEscapedString(start: Int, firstSpecial: Int, seen: UInt64) throws(JSONLineError) -> String {
        // Escapes decode to valid UTF-8 (lone surrogates are refused), so only raw bytes can make
        // the result invalid: `seen` collects them.
        var seen = seen
        scratch.ensureCapacity(count - start + 16, keeping: 0)
        let out = scratch.pointer
        var length = firstSpecial - start
        out.update(from: base + start, count: length)
        var i = firstSpecial
        let raw = UnsafeRawPointer(base)
        while true {
            switch base[i] {
            case 0x22:
                position = i + 1
                return try Self.makeString(out, length, ascii: seen & Self.highBits == 0, lineOffset: start)
            case 0x5C:
                guard i + 1 < count else { throw .malformed("unterminated string", offset: start - 1) }
                let target = out + length
                switch base[i + 1] {
                case 0x22, 0x5C, 0x2F: target.pointee = base[i + 1]; length += 1; i += 2
                case UInt8(ascii: "b"): target.pointee = 0x08; length += 1; i += 2
                case UInt8(ascii: "f"): target.pointee = 0x0C; length += 1; i += 2
                case UInt8(ascii: "n"): target.pointee = 0x0A; length += 1; i += 2
                case UInt8(ascii: "r"): target.pointee = 0x0D; length += 1; i += 2
                case UInt8(ascii: "t"): target.pointee = 0x09; length += 1; i += 2
                case UInt8(ascii: "u"):
                    let scalar = try unicodeEscape(at: &i)
                    length += Self.encodeUTF8(scalar, into: target)
                default:
                    position = i
                    throw .malformed("invalid escape sequence \\\(describeByteAt(i + 1))", offset: i)
                }
            default:
                throw controlCharacter(at: i)
            }
            // The next run, scanned and copied together.
            var special = -1
            while i + 8 <= count {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                UnsafeMutableRawPointer(out + length).storeBytes(of: w.littleEndian, as: UInt64.self)
                let flags = Self.specialBytes(w)
                if flags != 0 {
                    let k = flags.trailingZeroBitCount / 8
                    seen |= k == 0 ? 0 : w & (~UInt64(0) >> (64 - 8 * k))
                    length += k
                    i += k
                    special = i
                    break
                }
                seen |= w
                length += 8
                i += 8
            }
            if special < 0 {
                while i < count {
                    let b = base[i]
                    if b == 0x22 || b == 0x5C || b < 0x20 { break }
                    out[length] = b
                    seen |= UInt64(b)
                    length += 1
                    i += 1
                }
                guard i < count else { throw .malformed("unterminated string", offset: start - 1) }
            }
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

    /// One copy into a Swift string, validated once (`UTF8Text`); invalid UTF-8 is reported with
    /// the offset of the first bad byte (`lineOffset`: where `bytes` starts in the line).
    @inline(__always)
    static func makeString(_ bytes: UnsafePointer<UInt8>, _ length: Int, ascii: Bool, lineOffset: Int) throws(JSONLineError) -> String {
        let buffer = UnsafeBufferPointer(start: bytes, count: length)
        if let string = UTF8Text.string(buffer, isASCII: ascii) { return string }
        let bad = UTF8Text.firstInvalidOffset(buffer)
        throw .invalidUTF8("invalid UTF-8 (byte 0x\(String(buffer[bad], radix: 16, uppercase: true)) in a string)", offset: lineOffset + bad)
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
