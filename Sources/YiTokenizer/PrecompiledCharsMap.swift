/// SentencePiece's `precompiled_charsmap`: a Darts-clone double-array trie over input byte
/// sequences whose values point into a blob of NUL-terminated replacement strings
/// (normalizer.cc `DecodePrecompiledCharsMap`, darts.h). Layout: u32 trie size in bytes (little
/// endian), the trie's 32-bit units, then the replacement strings.
struct PrecompiledCharsMap: @unchecked Sendable {
    let units: UnsafeMutablePointer<UInt32>
    let replacements: UnsafeMutablePointer<UInt8>

    /// SentencePiece keeps at most this many trie results per lookup (`kMaxTrieResultsSize`).
    static let maxResults = 32

    enum Problem: Error, CustomStringConvertible {
        case broken, trieTooLarge, trieSizeNotMultipleOf1024, replacementsNotTerminated, invalidTrie
        var description: String {
            switch self {
            case .broken: return "the precompiled_charsmap blob is broken (shorter than its header)"
            case .trieTooLarge: return "the precompiled_charsmap trie size exceeds the blob size"
            case .trieSizeNotMultipleOf1024: return "the precompiled_charsmap trie size is not divisible by 1024"
            case .replacementsNotTerminated: return "the precompiled_charsmap replacement strings are not NUL-terminated"
            case .invalidTrie: return "the precompiled_charsmap trie is invalid"
            }
        }
    }

    /// Decodes and checks the blob like SentencePiece 0.2.x does (size checks, then Darts'
    /// `validate`), so lookups can never leave the arrays.
    init(storage: TableStorage, blob: [UInt8]) throws {
        guard blob.count > 4 else { throw Problem.broken }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize < blob.count - 4 else { throw Problem.trieTooLarge }
        guard trieSize >= 1024, trieSize & 0x3FF == 0 else { throw Problem.trieSizeNotMultipleOf1024 }
        var unitArray = [UInt32](repeating: 0, count: trieSize / 4)
        for i in 0..<unitArray.count {
            let o = 4 + 4 * i
            unitArray[i] = UInt32(blob[o]) | UInt32(blob[o + 1]) << 8 | UInt32(blob[o + 2]) << 16 | UInt32(blob[o + 3]) << 24
        }
        let strings = Array(blob[(4 + trieSize)...])
        guard strings.last == 0 else { throw Problem.replacementsNotTerminated }
        guard Self.validate(unitArray, maxValue: strings.count) else { throw Problem.invalidTrie }
        units = storage.copy(unitArray)
        replacements = storage.copy(strings)
    }

    // Darts-clone unit accessors.
    @inline(__always) static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) static func value(_ u: UInt32) -> Int { Int(u & ((1 << 31) - 1)) }
    @inline(__always) static func label(_ u: UInt32) -> UInt32 { u & ((1 << 31) | 0xFF) }
    @inline(__always) static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// darts.h `validate(max_value_limit)`.
    private static func validate(_ units: [UInt32], maxValue: Int) -> Bool {
        let size = units.count
        guard size > 0 else { return false }
        let root = units[0]
        if label(root) != 0 || hasLeaf(root) || offset(root) == 0 || ((0 ^ offset(root)) | 0xFF) >= size { return false }
        for i in 1..<size {
            let u = units[i]
            if label(u) <= 0xFF {
                if ((i ^ offset(u)) | 0xFF) >= size { return false }
                if hasLeaf(u) && label(units[i ^ offset(u)]) <= 0xFF { return false }
            } else if value(u) >= maxValue {
                return false
            }
        }
        return true
    }

    /// `Normalizer::NormalizePrefix`'s trie part: the longest rule among the first 32 prefixes
    /// of `p[0..<count]` that have one, as (input bytes consumed, replacement offset), or nil.
    @inline(__always)
    func longestRule(_ p: UnsafePointer<UInt8>, _ count: Int) -> (length: Int, replacement: Int)? {
        let array = units
        var nodePos = Self.offset(array[0])
        var results = 0
        var best: (length: Int, replacement: Int)?
        for i in 0..<count {
            let byte = Int(p[i])
            nodePos ^= byte
            let unit = array[nodePos]
            if Self.label(unit) != UInt32(byte) { break }
            nodePos ^= Self.offset(unit)
            if Self.hasLeaf(unit) {
                if results < Self.maxResults {
                    // Results come shortest first, so the last one kept is the longest.
                    best = (i + 1, Self.value(array[nodePos]))
                }
                results += 1
            }
        }
        return best
    }

    /// The NUL-terminated replacement string at `offset`.
    @inline(__always)
    func replacement(at offset: Int) -> UnsafeBufferPointer<UInt8> {
        var end = offset
        while replacements[end] != 0 { end += 1 }
        return UnsafeBufferPointer(start: replacements + offset, count: end - offset)
    }
}
