/// SentencePiece's normalizer (normalizer.cc, 0.2.x), driven by a `NormalizerSpec`:
/// user-defined pieces pass through unnormalized, the precompiled charsmap rewrites the rest
/// (longest rule first), malformed UTF-8 becomes U+FFFD one byte at a time, and the
/// whitespace flags (dummy prefix, extra-whitespace removal, U+2581 escaping, suffix mode)
/// apply as in the reference.
struct Normalizer: @unchecked Sendable {
    let addDummyPrefix: Bool
    let removeExtraWhitespaces: Bool
    let escapeWhitespaces: Bool
    let treatWhitespaceAsSuffix: Bool
    let charsMap: PrecompiledCharsMap?
    /// Matched before the charsmap (the main normalizer only; the denormalizer has none).
    let userDefined: UserDefinedMatcher?
    /// The bytes that stand for a space after normalization: U+2581, or " " when not escaping.
    let spaceSymbol: [UInt8]
    /// True when normalizing is a per-character copy (no charsmap, no whitespace removal, all
    /// user-defined pieces well-formed): then `normalizeWellFormed` and `normalizeAnyBytes` give
    /// the same bytes as `normalize`, much faster.
    let isCopyWithEscapes: Bool

    init(storage: TableStorage, spec: ModelProto.NormalizerSpec, treatWhitespaceAsSuffix: Bool,
         userDefined: UserDefinedMatcher?, userDefinedAreWellFormed: Bool) throws {
        addDummyPrefix = spec.addDummyPrefix
        removeExtraWhitespaces = spec.removeExtraWhitespaces
        escapeWhitespaces = spec.escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        charsMap = spec.precompiledCharsmap.isEmpty ? nil : try PrecompiledCharsMap(storage: storage, blob: spec.precompiledCharsmap)
        self.userDefined = (userDefined?.isEmpty ?? true) ? nil : userDefined
        spaceSymbol = spec.escapeWhitespaces ? SentencePieceUTF8.spaceSymbol : [0x20]
        isCopyWithEscapes = charsMap == nil && escapeWhitespaces && !removeExtraWhitespaces && userDefinedAreWellFormed
    }

    /// What `NormalizePrefix` makes of the start of the input.
    private enum Prefix {
        case input(Int)          // the first n input bytes, unchanged
        case replacement(Int)    // a charsmap replacement string at this offset
        case malformed           // U+FFFD for one malformed byte
    }

    @inline(__always)
    private func normalizePrefix(_ p: UnsafePointer<UInt8>, _ count: Int) -> (Prefix, consumed: Int) {
        if let userDefined, userDefined.mayStart(with: p[0]), let match = userDefined.match(p, count) {
            return (.input(match.length), match.length)
        }
        if let charsMap, let rule = charsMap.longestRule(p, count) {
            return (.replacement(rule.replacement), rule.length)
        }
        let length = SentencePieceUTF8.validCharLength(p, count)
        return length == 0 ? (.malformed, 1) : (.input(length), length)
    }

    private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

    /// Normalizes `input`, appending to `out`; returns the number of malformed UTF-8 bytes that
    /// were replaced by U+FFFD.
    func normalize(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) -> Int {
        guard var p = input.baseAddress, input.count > 0 else { return 0 }
        var remaining = input.count
        let outStart = out.count
        var malformed = 0

        func withPrefixBytes<R>(_ prefix: Prefix, at p: UnsafePointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
            switch prefix {
            case .input(let n): return body(UnsafeBufferPointer(start: p, count: n))
            case .replacement(let offset): return body(charsMap!.replacement(at: offset))
            case .malformed: return Self.replacementCharacter.withUnsafeBufferPointer(body)
            }
        }

        if removeExtraWhitespaces {  // leading spaces
            while remaining > 0 {
                let (prefix, consumed) = normalizePrefix(p, remaining)
                let isSpace = withPrefixBytes(prefix, at: p) { $0.count == 1 && $0[0] == 0x20 }
                if !isSpace { break }
                p += consumed
                remaining -= consumed
            }
            if remaining == 0 { return 0 }
        }

        if !treatWhitespaceAsSuffix && addDummyPrefix { out.append(contentsOf: spaceSymbol) }
        var isPreviousSpace = removeExtraWhitespaces
        while remaining > 0 {
            let (prefix, consumed) = normalizePrefix(p, remaining)
            if case .malformed = prefix { malformed += 1 }
            withPrefixBytes(prefix, at: p) { piece in
                var start = 0
                while isPreviousSpace && start < piece.count && piece[start] == 0x20 { start += 1 }
                guard start < piece.count else { return }
                for i in start..<piece.count {
                    if piece[i] == 0x20 { out.append(contentsOf: spaceSymbol) } else { out.append(piece[i]) }
                }
                isPreviousSpace = piece[piece.count - 1] == 0x20
            }
            p += consumed
            remaining -= consumed
            if !removeExtraWhitespaces { isPreviousSpace = false }
        }

        if removeExtraWhitespaces {  // trailing spaces
            let n = spaceSymbol.count
            while out.count - outStart >= n && out[(out.count - n)...].elementsEqual(spaceSymbol) {
                out.removeLast(n)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { out.append(contentsOf: spaceSymbol) }
        return malformed
    }

    /// Room for the output of `normalizeWellFormed` or `normalizeAnyBytes`: a byte becomes at
    /// most 3 (a space, a malformed byte), plus 3 for a dummy prefix or suffix. (The pages of a
    /// large buffer that are never written cost nothing.)
    static func outputBound(_ inputCount: Int) -> Int { inputCount * 3 + 3 }

    /// `normalize` for `isCopyWithEscapes` models and well-formed input: a copy with each
    /// U+0020 turned into U+2581, 8 bytes at a time where there is no space. `out` must hold
    /// `outputBound(input.count)` bytes. Returns the bytes written.
    func normalizeWellFormed(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard let p = input.baseAddress, input.count > 0 else { return 0 }
        let n = input.count
        var o = 0
        if addDummyPrefix && !treatWhitespaceAsSuffix {
            out[0] = 0xE2; out[1] = 0x96; out[2] = 0x81
            o = 3
        }
        let raw = UnsafeRawPointer(p)
        var i = 0
        // 8 bytes at a time: store the word, then, if it holds a space, keep the bytes before
        // the first one, write U+2581 and go on after it (English has a space every few bytes).
        while i + 8 <= n {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            let spaces = word ^ 0x2020_2020_2020_2020  // a zero byte where there was a space
            // The lowest flagged byte is exact (false flags only follow a real zero byte).
            let flags = (spaces &- 0x0101_0101_0101_0101) & ~spaces & 0x8080_8080_8080_8080
            UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
            if flags == 0 {
                o += 8
                i += 8
                continue
            }
            let before = flags.trailingZeroBitCount >> 3
            o += before
            out[o] = 0xE2; out[o + 1] = 0x96; out[o + 2] = 0x81
            o += 3
            i += before + 1
        }
        while i < n {
            let b = p[i]
            if b == 0x20 {
                out[o] = 0xE2; out[o + 1] = 0x96; out[o + 2] = 0x81
                o += 3
            } else {
                out[o] = b
                o += 1
            }
            i += 1
        }
        if addDummyPrefix && treatWhitespaceAsSuffix {
            out[o] = 0xE2; out[o + 1] = 0x96; out[o + 2] = 0x81
            o += 3
        }
        return o
    }

    /// `normalize` for `isCopyWithEscapes` models and any input: copies characters, turns
    /// U+0020 into U+2581 and each malformed byte into U+FFFD. `out` must hold `outputBound(input.count)`
    /// bytes. Returns the bytes written and the number of malformed bytes.
    func normalizeAnyBytes(_ input: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> (count: Int, malformed: Int) {
        guard let p = input.baseAddress, input.count > 0 else { return (0, 0) }
        let n = input.count
        var o = 0
        var malformed = 0
        @inline(__always) func writeSpace() {
            out[o] = 0xE2; out[o + 1] = 0x96; out[o + 2] = 0x81
            o += 3
        }
        if addDummyPrefix && !treatWhitespaceAsSuffix { writeSpace() }
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i < n {
            // Eight plain ASCII bytes (no high bit, no space) at a time.
            if i + 8 <= n {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                let spaces = word ^ 0x2020_2020_2020_2020
                let hasSpace = (spaces &- 0x0101_0101_0101_0101) & ~spaces & 0x8080_8080_8080_8080
                if (word | hasSpace) & 0x8080_8080_8080_8080 == 0 {
                    UnsafeMutableRawPointer(out + o).storeBytes(of: word, as: UInt64.self)
                    o += 8
                    i += 8
                    continue
                }
            }
            let b = p[i]
            if b < 0x80 {
                if b == 0x20 { writeSpace() } else { out[o] = b; o += 1 }
                i += 1
                continue
            }
            let length = SentencePieceUTF8.validCharLength(p + i, n - i)
            if length == 0 {
                out[o] = 0xEF; out[o + 1] = 0xBF; out[o + 2] = 0xBD
                o += 3
                malformed += 1
                i += 1
            } else {
                for k in 0..<length { out[o + k] = p[i + k] }
                o += length
                i += length
            }
        }
        if addDummyPrefix && treatWhitespaceAsSuffix { writeSpace() }
        return (o, malformed)
    }
}
