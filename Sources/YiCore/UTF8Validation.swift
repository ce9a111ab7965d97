/// Well-formedness of UTF-8 bytes, fast: shared by the JSONL reader (which must reject invalid
/// records) and the tokenizer (which must treat malformed bytes as SentencePiece does).
///
/// The standard library validates one byte at a time for any non-ASCII text. Here runs of ASCII
/// are skipped eight bytes at a time and runs of 3-byte characters (CJK text) stay in a tight
/// loop. Tested against the standard library's verdict on random and adversarial bytes.
public enum UTF8Validation {
    /// True when `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
    /// above U+10FFFF, no truncated sequence).
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
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

}
