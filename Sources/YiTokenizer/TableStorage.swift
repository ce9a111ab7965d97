/// Owns the memory of a loaded model's tables.
///
/// The tables are plain structs of raw pointers into memory allocated here, so the encoder's
/// hot loops read them without bounds checks or reference counting (reference counting on an
/// object shared by several threads makes them fight over its cache line). Everything is
/// written while the model loads, on one thread, and only read afterwards; the storage lives
/// as long as the model, and encoders keep their model alive.
final class TableStorage: @unchecked Sendable {
    private var allocations: [UnsafeMutableRawPointer] = []

    /// Memory for `count` values, all set to `value`.
    func allocate<T: BitwiseCopyable>(_ count: Int, repeating value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: value, count: count)
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    /// A copy of `array`.
    func copy<T: BitwiseCopyable>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(array.count, 1))
        array.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.initialize(from: base, count: array.count) }
        }
        allocations.append(UnsafeMutableRawPointer(pointer))
        return pointer
    }

    deinit {
        for pointer in allocations { pointer.deallocate() }
    }
}

/// Many byte strings stored back to back: string k is `bytes[offsets[k] ..< offsets[k + 1]]`.
struct ByteArena: @unchecked Sendable {
    let bytes: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<Int32>
    let count: Int

    /// Builds the arena from ranges of `source` followed by extra strings.
    init(storage: TableStorage, source: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>], extra: [[UInt8]] = []) {
        let total = ranges.reduce(0) { $0 + $1.count } + extra.reduce(0) { $0 + $1.count }
        count = ranges.count + extra.count
        bytes = storage.allocate(total, repeating: 0)
        offsets = storage.allocate(count + 1, repeating: 0)
        var used = 0
        var k = 0
        for range in ranges {
            if !range.isEmpty { (bytes + used).update(from: source.baseAddress! + range.lowerBound, count: range.count) }
            used += range.count
            k += 1
            offsets[k] = Int32(used)
        }
        for string in extra {
            for byte in string { bytes[used] = byte; used += 1 }
            k += 1
            offsets[k] = Int32(used)
        }
    }

    @inline(__always)
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[index])
        return UnsafeBufferPointer(start: bytes + start, count: Int(offsets[index + 1]) - start)
    }
}

/// Hashing of short byte strings (pieces, text segments): 8 bytes at a time with a
/// multiply-xorshift mix. Hashes live only in this process's tables (never stored). Not cryptographic: a collision costs a comparison, never a wrong answer.
enum ByteHash {
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < count {
            // The last 1...7 bytes without a byte loop: two overlapping 4-byte loads, or first,
            // middle and last byte (with the length, which is in `h`, this fixes the bytes).
            let rest = count &- i
            let word: UInt64
            if rest >= 4 {
                word = UInt64(raw.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                    | UInt64(raw.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)) << 32
            } else {
                word = UInt64(p[i]) | UInt64(p[i &+ rest >> 1]) << 8 | UInt64(p[count &- 1]) << 16
            }
            h = (h ^ word) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let x = UnsafeRawPointer(a), y = UnsafeRawPointer(b)
        // Words and pieces are short: from 4 bytes on, two overlapping loads cover the rest
        // (the first 8 or 4 bytes and the last), instead of a loop over the odd bytes.
        if count >= 8 {
            var i = 0
            while i + 8 < count {
                if x.loadUnaligned(fromByteOffset: i, as: UInt64.self) != y.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            return x.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
                && x.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for i in 0..<count where a[i] != b[i] { return false }
        return true
    }
}

/// A read-only view of a table in `TableStorage`, indexable without bounds checks.
struct FrozenArray<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>

    @inline(__always)
    subscript(index: Int) -> Element { base[index] }
}

/// A set of symbol ids, one bit each, that the hot loops test without leaving the L1 cache
/// (Yi: 8 KB, where a 4-byte entry per symbol is 256 KB and misses between merges).
struct SymbolBits: @unchecked Sendable {
    let words: UnsafeMutablePointer<UInt64>

    init(storage: TableStorage, count: Int, contains: (Int) -> Bool) {
        words = storage.allocate((count + 63) / 64, repeating: 0)
        for symbol in 0..<count where contains(symbol) { words[symbol >> 6] |= 1 << UInt64(symbol & 63) }
    }

    /// The set of `members` (each >= 0 and below `count`): for sparse sets, where asking a
    /// predicate about every symbol would cost a lookup per symbol.
    init(storage: TableStorage, count: Int, members: some Sequence<Int32>) {
        words = storage.allocate((count + 63) / 64, repeating: 0)
        for symbol in members { words[Int(symbol) >> 6] |= 1 << UInt64(symbol & 63) }
    }

    /// Whether `symbol` (>= 0, below the count given at init) is in the set.
    @inline(__always)
    func contains(_ symbol: Int32) -> Bool {
        let index = Int(truncatingIfNeeded: symbol)
        return words[index &>> 6] &>> UInt64(index & 63) & 1 != 0
    }
}
