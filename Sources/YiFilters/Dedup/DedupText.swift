import YiCore

/// How text is normalized before exact-duplicate hashing.
public enum TextNormalization: String, Sendable, CaseIterable {
    /// The bytes as they are.
    case none
    /// Whitespace runs become one space; leading and trailing whitespace is removed.
    case whitespace
    /// `whitespace`, and letters lowercased (Unicode simple lowercase mapping).
    case whitespaceAndCase = "whitespace-and-case"
}

/// The text preparation shared by the deduplicators: one pass over the UTF-8 bytes with the
/// analyzer's scalar classes.
enum DedupText {
    /// Appends the normalized UTF-8 of `text` to `out` (cleared first).
    static func normalize(_ text: String, _ normalization: TextNormalization, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var text = text
        text.withUTF8 { bytes in
            guard normalization != .none else { out.append(contentsOf: bytes); return }
            let lowercase = normalization == .whitespaceAndCase
            var pendingSpace = false
            ScalarTable.forEachScalar(bytes) { value, start, end, entry in
                let kind = entry & 7
                if kind == ScalarKind.space.rawValue || kind == ScalarKind.lineBreak.rawValue {
                    pendingSpace = !out.isEmpty
                    return
                }
                if pendingSpace { out.append(0x20); pendingSpace = false }
                if lowercase { appendLowercased(value, bytes: bytes, start: start, end: end, to: &out) }
                else { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end])) }
            }
        }
    }

    @inline(__always)
    static func appendLowercased(_ value: UInt32, bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int,
                                 to out: inout [UInt8]) {
        if value < 0x80 {
            out.append(value >= 0x41 && value <= 0x5A ? UInt8(value | 0x20) : UInt8(value))
            return
        }
        if value < 0x10000 {
            let lower = bmpLowercase.withUnsafeBufferPointer { $0[Int(value)] }
            if lower == value {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                return
            }
            if lower != multiScalarLowercase {
                out.append(contentsOf: Unicode.Scalar(lower)!.utf8)
                return
            }
        }
        let scalar = Unicode.Scalar(value)!
        if scalar.properties.changesWhenLowercased {
            out.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
        } else {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    /// Lowercased scalar value (simple mapping; the first scalar of a multi-scalar mapping).
    @inline(__always)
    static func lowercased(_ value: UInt32) -> UInt32 {
        if value < 0x80 { return value >= 0x41 && value <= 0x5A ? value | 0x20 : value }
        if value < 0x10000 {
            let lower = bmpLowercase.withUnsafeBufferPointer { $0[Int(value)] }
            if lower != multiScalarLowercase { return lower }
        }
        let scalar = Unicode.Scalar(value)!
        guard scalar.properties.changesWhenLowercased else { return value }
        return scalar.properties.lowercaseMapping.unicodeScalars.first!.value
    }

    /// Each BMP scalar's lowercase (itself when unchanged), or `multiScalarLowercase` when it
    /// lowercases to several scalars. Built once, when dedup first runs: asking the Unicode
    /// properties per character cost about 100 instructions (7% of a `run` with dedup).
    static let bmpLowercase: [UInt32] = (0..<0x10000).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)), scalar.properties.changesWhenLowercased else { return UInt32(value) }
        let mapping = scalar.properties.lowercaseMapping.unicodeScalars
        return mapping.count == 1 ? mapping.first!.value : multiScalarLowercase
    }
    static let multiScalarLowercase = UInt32.max

    /// Calls `body` with the hash of each unit of `text`: lowercased words (Han/Kana characters
    /// one each; punctuation and symbols skipped) or lowercased characters (punctuation and
    /// symbols skipped, whitespace runs as one space).
    static func forEachUnit(_ text: String, unit: MinHashOptions.Unit, _ body: (UInt64) -> Void) {
        var text = text
        text.withUTF8 { bytes in
            var word: UInt64 = 0xCBF2_9CE4_8422_2325
            var inWord = false
            var pendingSpace = false
            var emittedAny = false
            ScalarTable.forEachScalar(bytes) { value, _, _, entry in
                let kind = entry & 7
                switch unit {
                case .word:
                    if kind == ScalarKind.letter.rawValue || kind == ScalarKind.wordPart.rawValue {
                        word = (word ^ UInt64(lowercased(value))) &* 0x0000_0100_0000_01B3
                        inWord = true
                        return
                    }
                    if kind == ScalarKind.ignorable.rawValue { return }
                    if inWord { body(SplitMix64.mix(word)); word = 0xCBF2_9CE4_8422_2325; inWord = false }
                    if kind == ScalarKind.unspacedLetter.rawValue { body(SplitMix64.mix(UInt64(value) | 1 << 40)) }
                case .character:
                    switch kind {
                    case ScalarKind.space.rawValue, ScalarKind.lineBreak.rawValue:
                        pendingSpace = emittedAny
                    case ScalarKind.symbol.rawValue, ScalarKind.connector.rawValue, ScalarKind.ignorable.rawValue:
                        break
                    default:
                        if pendingSpace { body(0x20); pendingSpace = false }
                        body(UInt64(lowercased(value)))
                        emittedAny = true
                    }
                }
            }
            if inWord { body(SplitMix64.mix(word)) }
        }
    }
}
