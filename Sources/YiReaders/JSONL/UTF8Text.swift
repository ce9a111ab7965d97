/// Fast UTF-8 validation and string creation for the JSONL hot path.
///
/// The standard library validates every `String` it creates from bytes, one byte at a time for
/// any text that is not pure ASCII (about 10 instructions a byte). Here runs of ASCII are skipped
/// eight bytes at a time and multi-byte sequences are checked directly; valid text then becomes a
/// `String` through `UTF8Span(unchecked:)` with no second validation (Swift 6.2+; older
/// compilers fall back to the validating initialiser). Tested against the standard library's
/// verdict on random and adversarial bytes.
enum UTF8Text {
    /// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
    /// above U+10FFFF, no truncated sequence).
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let p = bytes.baseAddress else { return true }
        let n = bytes.count
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i < n {
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let lead = p[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            switch lead {
            case 0xC2...0xDF:
                guard i + 1 < n, isContinuation(p[i + 1]) else { return false }
                i += 2
            case 0xE0...0xEF:
                // Runs of 3-byte characters (CJK text) stay in this loop.
                var lead3 = lead
                repeat {
                    guard i + 2 < n else { return false }
                    let second = p[i + 1]
                    // E0: no overlong forms (A0...BF); ED: no surrogates (80...9F).
                    let secondValid = lead3 == 0xE0 ? (0xA0...0xBF).contains(second)
                        : lead3 == 0xED ? (0x80...0x9F).contains(second) : isContinuation(second)
                    guard secondValid, isContinuation(p[i + 2]) else { return false }
                    i += 3
                    guard i < n else { break }
                    lead3 = p[i]
                } while lead3 & 0xF0 == 0xE0
            case 0xF0...0xF4:
                guard i + 3 < n else { return false }
                let second = p[i + 1]
                // F0: no overlong forms (90...BF); F4: nothing above U+10FFFF (80...8F).
                let secondValid = lead == 0xF0 ? (0x90...0xBF).contains(second)
                    : lead == 0xF4 ? (0x80...0x8F).contains(second) : isContinuation(second)
                guard secondValid, isContinuation(p[i + 2]), isContinuation(p[i + 3]) else { return false }
                i += 4
            default:
                // 80...C1 (continuation or overlong lead), F5...FF.
                return false
            }
        }
        return true
    }

    @inline(__always)
    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    /// A `String` holding `bytes`, or nil when they are not valid UTF-8. `isASCII`: the caller
    /// already knows no byte is above 0x7F.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String? {
        guard isASCII || isValid(bytes) else { return nil }
        #if compiler(>=6.2)
        return String(copying: UTF8Span(unchecked: Span(_unsafeElements: bytes), isKnownASCII: isASCII))
        #else
        return String(validating: bytes, as: UTF8.self)
        #endif
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence (for
    /// messages; only called on invalid input).
    static func firstInvalidOffset(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
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
}
