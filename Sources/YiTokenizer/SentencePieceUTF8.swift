import YiCore
/// UTF-8 helpers with SentencePiece's exact semantics (util.h / util.cc), which differ from
/// Swift's own decoding: a malformed sequence is replaced byte by byte (each bad byte becomes one
/// U+FFFD), not by maximal subparts.
enum SentencePieceUTF8 {
    /// U+FFFD REPLACEMENT CHARACTER.
    static let replacement: (UInt8, UInt8, UInt8) = (0xEF, 0xBF, 0xBD)
    /// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's visible space.
    static let spaceSymbol: [UInt8] = [0xE2, 0x96, 0x81]

    /// Length of the character a lead byte starts (`OneCharLen`): 1 for ASCII and for stray
    /// continuation bytes, else 2, 3 or 4 from the high nibble.
    @inline(__always)
    static func oneCharLength(_ lead: UInt8) -> Int {
        // "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]
        let nibble = lead >> 4
        if nibble < 12 { return 1 }
        if nibble < 14 { return 2 }
        return nibble == 14 ? 3 : 4
    }

    /// `DecodeUTF8` + `IsValidDecodeUTF8`: the length of the well-formed character at `p`
    /// (`count` bytes available, at least 1), or 0 when the first byte starts no well-formed
    /// character (SentencePiece then consumes exactly one byte). Surrogates, overlong forms and
    /// code points above U+10FFFF are malformed.
    @inline(__always)
    static func validCharLength(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        let b0 = p[0]
        if b0 < 0x80 { return 1 }
        @inline(__always) func trail(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        if b0 & 0xE0 == 0xC0 {
            guard count >= 2, trail(p[1]) else { return 0 }
            let cp = (UInt32(b0 & 0x1F) << 6) | UInt32(p[1] & 0x3F)
            return cp >= 0x80 ? 2 : 0
        }
        if b0 & 0xF0 == 0xE0 {
            guard count >= 3, trail(p[1]), trail(p[2]) else { return 0 }
            let cp = (UInt32(b0 & 0x0F) << 12) | (UInt32(p[1] & 0x3F) << 6) | UInt32(p[2] & 0x3F)
            return cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) ? 3 : 0
        }
        if b0 & 0xF8 == 0xF0 {
            guard count >= 4, trail(p[1]), trail(p[2]), trail(p[3]) else { return 0 }
            let cp = (UInt32(b0 & 0x07) << 18) | (UInt32(p[1] & 0x3F) << 12) | (UInt32(p[2] & 0x3F) << 6) | UInt32(p[3] & 0x3F)
            return cp >= 0x10000 && cp <= 0x10FFFF ? 4 : 0
        }
        return 0
    }

    /// The code point of a well-formed character of `length` bytes at `p`.
    @inline(__always)
    static func codePoint(_ p: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        switch length {
        case 1: return UInt32(p[0])
        case 2: return (UInt32(p[0] & 0x1F) << 6) | UInt32(p[1] & 0x3F)
        case 3: return (UInt32(p[0] & 0x0F) << 12) | (UInt32(p[1] & 0x3F) << 6) | UInt32(p[2] & 0x3F)
        default:
            return (UInt32(p[0] & 0x07) << 18) | (UInt32(p[1] & 0x3F) << 12) | (UInt32(p[2] & 0x3F) << 6) | UInt32(p[3] & 0x3F)
        }
    }

    /// Whether all of `bytes` is well-formed UTF-8 (SentencePiece's rules are the standard ones).
    static func isWellFormed(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        UTF8Validation.isValid(buffer)
    }

    /// Appends `bytes` decoded the way SentencePiece's decoder does for byte pieces: each
    /// well-formed character is copied, each byte that starts none becomes U+FFFD.
    static func appendRepairing(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        var i = 0
        while i < bytes.count {
            let n = validCharLength(base + i, bytes.count - i)
            if n == 0 {
                out.append(replacement.0); out.append(replacement.1); out.append(replacement.2)
                i += 1
            } else {
                out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: n))
                i += n
            }
        }
    }
}
