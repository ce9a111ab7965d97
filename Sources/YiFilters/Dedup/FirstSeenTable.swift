/// A key of `FirstSeenTable`: fixed width, already well mixed (a hash).
protocol FirstSeenKey: Equatable {
    /// Bits used to pick the home slot.
    var slotBits: UInt64 { get }
}

extension UInt64: FirstSeenKey {
    var slotBits: UInt64 { self }
}

extension ContentHash128: FirstSeenKey {
    var slotBits: UInt64 { high }
}

/// Corpus-wide key → ordinal of the first document that had the key. Open addressing with
/// linear probing over fixed-size entries (`MemoryLayout<Entry>.stride` bytes each: 16 for
/// 64-bit keys, 24 for 128-bit keys), so memory is `capacity × stride`, known in advance.
///
/// Memory model: the table doubles when it is 3/4 full, unless the doubled table would exceed
/// `memoryLimit`; then it fills up to 15/16 and from there on is *saturated*: lookups still work,
/// new keys are refused (`insert` returns false) and the caller counts what went unindexed.
/// During a doubling the old and new arrays both exist for a moment (1.5× the new size).
struct FirstSeenTable<Key: FirstSeenKey> {
    private struct Entry {
        var key: Key
        var ordinal: UInt64
    }

    private static var emptyOrdinal: UInt64 { .max }
    private var entries: [Entry]
    private var shift: UInt64
    private(set) var count = 0
    let memoryLimit: Int?
    private let emptyKey: Key

    init(emptyKey: Key, initialCapacity: Int = 1 << 12, memoryLimit: Int? = nil) {
        var capacity = 16
        while capacity < initialCapacity { capacity <<= 1 }
        if let memoryLimit {
            while capacity > 16 && capacity * MemoryLayout<Entry>.stride > memoryLimit { capacity >>= 1 }
        }
        self.emptyKey = emptyKey
        self.memoryLimit = memoryLimit
        entries = [Entry](repeating: Entry(key: emptyKey, ordinal: Self.emptyOrdinal), count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    var capacity: Int { entries.count }
    var bytes: Int { entries.count * MemoryLayout<Entry>.stride }
    static var entryBytes: Int { MemoryLayout<Entry>.stride }

    /// True once no more keys can be added within the memory limit.
    var isSaturated: Bool { !canGrow && count * 16 >= entries.count * 15 }

    private var canGrow: Bool {
        guard let memoryLimit else { return true }
        return entries.count * 2 * MemoryLayout<Entry>.stride <= memoryLimit
    }

    @inline(__always)
    private func home(_ key: Key) -> Int { Self.home(key, shift: shift) }

    @inline(__always)
    private static func home(_ key: Key, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key.slotBits &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The ordinal stored for `key`, if any.
    func lookup(_ key: Key) -> UInt64? {
        entries.withUnsafeBufferPointer { entries in
            let mask = entries.count - 1
            var slot = home(key)
            while entries[slot].ordinal != Self.emptyOrdinal {
                if entries[slot].key == key { return entries[slot].ordinal }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// Stores `key → ordinal` unless the key is present; false when the table is saturated.
    @discardableResult
    mutating func insert(_ key: Key, ordinal: UInt64) -> Bool {
        if count * 4 >= entries.count * 3 {
            if canGrow { grow() } else if isSaturated { return false }
        }
        let home = self.home(key)
        let added: Bool = entries.withUnsafeMutableBufferPointer { entries in
            let mask = entries.count - 1
            var slot = home
            while entries[slot].ordinal != Self.emptyOrdinal {
                if entries[slot].key == key { return false }
                slot = (slot + 1) & mask
            }
            entries[slot] = Entry(key: key, ordinal: ordinal)
            return true
        }
        if added { count += 1 }
        return true
    }

    private mutating func grow() {
        let old = entries
        entries = [Entry](repeating: Entry(key: emptyKey, ordinal: Self.emptyOrdinal), count: old.count * 2)
        shift -= 1
        let shift = self.shift
        entries.withUnsafeMutableBufferPointer { entries in
            let mask = entries.count - 1
            for entry in old where entry.ordinal != Self.emptyOrdinal {
                var slot = Self.home(entry.key, shift: shift)
                while entries[slot].ordinal != Self.emptyOrdinal { slot = (slot + 1) & mask }
                entries[slot] = entry
            }
        }
    }
}

/// One bit per document ordinal (N/8 bytes): marks the documents that head a cluster.
struct OrdinalBitSet {
    private var words: [UInt64] = []
    private(set) var count = 0

    /// Sets the bit; returns true when it was not set before.
    @discardableResult
    mutating func insert(_ ordinal: UInt64) -> Bool {
        let word = Int(ordinal >> 6)
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count))) }
        let bit: UInt64 = 1 << (ordinal & 63)
        if words[word] & bit != 0 { return false }
        words[word] |= bit
        count += 1
        return true
    }

    var bytes: Int { words.count * 8 }
}
