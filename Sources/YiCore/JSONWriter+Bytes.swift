/// The byte-level hot path of JSON output (`yi-prep tokenize` writes one line per document):
/// digits two at a time into a buffer sized up front, strings copied whole unless they need
/// escaping. Same bytes as the String-based writer.
extension JSONWriter {
    /// Token ids as a JSON array (`[1, 2, 3]`). Ids below 65,536 (every id of Yi's vocabulary)
    /// come from a table of their text with the separator, one 8-byte store each.
    public static func appendIDs(_ ids: [TokenID], to out: inout [UInt8]) {
        ids.withUnsafeBufferPointer { ids in
            let tableSize = UInt32(idTexts.count)   // read once: each access checks the lazy global
            guard ids.allSatisfy({ $0 < tableSize }) else {
                appendDecimals(count: ids.count, maxDigits: 10, to: &out) { i in (false, UInt64(ids[i])) }
                return
            }
            // "[" "]", and 8 bytes stored per id (at most 7 of them kept).
            appendWritten(room: 2 + ids.count * 8 + 8, to: &out) { base in
                idTexts.withUnsafeBufferPointer { texts in
                    let raw = UnsafeMutableRawPointer(base)
                    base[0] = UInt8(ascii: "[")
                    var p = 1
                    for id in ids {
                        let text = texts[Int(id)]
                        raw.storeBytes(of: (text & 0x00FF_FFFF_FFFF_FFFF).littleEndian, toByteOffset: p, as: UInt64.self)
                        p += Int(text >> 56)
                    }
                    if !ids.isEmpty { p -= 2 }   // the last id's ", "
                    base[p] = UInt8(ascii: "]")
                    return p + 1
                }
            }
        }
    }

    /// Appends the bytes `write` puts at the start of a scratch buffer of `room` bytes (it
    /// returns how many). Making the room inside `out` first, by appending zeros, cost about
    /// five instructions a byte: more than writing the ids.
    @inline(__always)
    static func appendWritten(room: Int, to out: inout [UInt8], _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let bytes = [UInt8](unsafeUninitializedCapacity: Swift.max(room, 1)) { buffer, initialized in
            initialized = write(buffer.baseAddress!)
        }
        out.append(contentsOf: bytes)
    }

    /// For each id below 65,536: its decimal digits and ", " in the low bytes (little-endian),
    /// the byte count (3 to 7) in the top byte.
    static let idTexts: [UInt64] = {
        // Digits by arithmetic: building 65,536 strings cost about 15 ms at the first call.
        var texts = [UInt64](repeating: 0, count: 65_536)
        for id in 0..<65_536 {
            var digits: UInt64 = 0
            var count: UInt64 = 0
            var v = id
            repeat {
                digits = digits << 8 | UInt64(48 + v % 10)   // most significant digit ends up lowest
                count += 1
                v /= 10
            } while v > 0
            texts[id] = (count + 2) << 56 | 0x20 << (8 * (count + 1)) | 0x2C << (8 * count) | digits
        }
        return texts
    }()

    /// `[a, b, c]` of `count` integers given as (negative, magnitude), written in place.
    @inline(__always)
    static func appendDecimals(count: Int, maxDigits: Int, to out: inout [UInt8],
                               _ value: (Int) -> (Bool, UInt64)) {
        // "[" "]" and per value: sign, digits, ", "
        appendWritten(room: 2 + count * (maxDigits + 3), to: &out) { base in
            digitPairs.withUnsafeBufferPointer { pairs in
                var p = base
                p[0] = UInt8(ascii: "["); p += 1
                for i in 0..<count {
                    if i > 0 { p[0] = UInt8(ascii: ","); p[1] = UInt8(ascii: " "); p += 2 }
                    let (negative, magnitude) = value(i)
                    if negative { p[0] = UInt8(ascii: "-"); p += 1 }
                    p += writeDecimal(magnitude, at: p, pairs: pairs.baseAddress!)
                }
                p[0] = UInt8(ascii: "]"); p += 1
                return p - base
            }
        }
    }

    /// An integer in JSON (`-12`), as `write(.int(_:))` writes it.
    public static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)   // room for 20 digits, on the stack
        withUnsafeMutableBytes(of: &digits) { raw in
            let p = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let count = digitPairs.withUnsafeBufferPointer { writeDecimal(value.magnitude, at: p, pairs: $0.baseAddress!) }
            out.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
        }
    }

    /// "00", "01", ..., "99".
    static let digitPairs: [UInt8] = {
        var pairs: [UInt8] = []
        for n in 0..<100 {
            pairs.append(UInt8(truncatingIfNeeded: 48 + n / 10))
            pairs.append(UInt8(truncatingIfNeeded: 48 + n % 10))
        }
        return pairs
    }()

    @inline(__always)
    static func writeDecimal(_ value: UInt64, at p: UnsafeMutablePointer<UInt8>,
                             pairs: UnsafePointer<UInt8>) -> Int {
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && value >= bound {
            digits += 1
            if digits == 20 { break }
            bound &*= 10
        }
        var v = value
        var end = p + digits
        while v >= 100 {
            let q = v / 100
            let r = Int(v &- q &* 100) &* 2
            end -= 2
            end[0] = pairs[r]; end[1] = pairs[r + 1]
            v = q
        }
        if v >= 10 {
            end -= 2
            end[0] = pairs[Int(v) &* 2]; end[1] = pairs[Int(v) &* 2 + 1]
        } else {
            end -= 1
            end[0] = UInt8(truncatingIfNeeded: 48 &+ v)
        }
        return digits
    }

    /// A JSON string literal, escaped exactly as `appendQuoted(_:to: inout String)` does.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            var pending = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                var escape: [UInt8]? = nil
                var width = 1
                if b == UInt8(ascii: "\"") { escape = Array("\\\"".utf8) }
                else if b == UInt8(ascii: "\\") { escape = Array("\\\\".utf8) }
                else if b < 0x20 { escape = controlEscape(UInt32(b)) }
                else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    escape = Array((bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029").utf8)
                    width = 3
                }
                if let escape {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pending..<i]))
                    out.append(contentsOf: escape)
                    pending = i + width
                }
                i += width
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[pending...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func controlEscape(_ value: UInt32) -> [UInt8] {
        switch value {
        case 0x0A: return Array("\\n".utf8)
        case 0x0D: return Array("\\r".utf8)
        case 0x09: return Array("\\t".utf8)
        default:
            let hex = String(value, radix: 16)
            return Array(("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
        }
    }
}
