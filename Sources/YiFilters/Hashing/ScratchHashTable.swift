/// A per-document scratch table of 64-bit keys (already well mixed) with a count and the index
/// of each key's first occurrence. Open addressing with linear probing, load factor ≤ 1/2.
///
/// `reset` is O(1): slots carry the generation that wrote them, and a slot from an older
/// generation reads as empty. The storage is kept between documents, so the hot path does not
/// allocate once the largest document has been seen.
struct ScratchHashTable {
    private struct Slot {
        var key: UInt64 = 0
        var count: UInt32 = 0
        var first: UInt32 = 0
        var stamp: UInt32 = 0
    }

    private var slots: [Slot] = []
    private var generation: UInt32 = 0
    private var shift: UInt64 = 64
    private var used = 0

    /// Empties the table; `expectedKeys` pre-sizes it (it grows past that when needed).
    mutating func reset(expectedKeys: Int = 0) {
        if slots.isEmpty || expectedKeys * 2 > slots.count {
            var capacity = max(64, slots.count)
            while capacity < expectedKeys * 2 { capacity <<= 1 }
            allocate(capacity)
        }
        if generation == UInt32.max {
            for i in slots.indices { slots[i].stamp = 0 }
            generation = 0
        }
        generation += 1
        used = 0
    }

    private mutating func allocate(_ capacity: Int) {
        slots = [Slot](repeating: Slot(), count: capacity)
        generation = 0
        shift = UInt64(64 - capacity.trailingZeroBitCount)
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds one occurrence of `key` (first seen at `index` if new); returns its count, first
    /// index, and slot (valid until the table grows or is reset; see `count(atSlot:)`).
    @inline(__always)
    mutating func increment(_ key: UInt64, index: UInt32) -> (count: UInt32, first: UInt32, slot: Int) {
        if (used + 1) * 2 > slots.count { grow() }
        var slot = home(key)
        let generation = self.generation
        let result: (UInt32, UInt32, Bool) = slots.withUnsafeMutableBufferPointer { slots in
            let mask = slots.count - 1
            while true {
                if slots[slot].stamp != generation {
                    slots[slot] = Slot(key: key, count: 1, first: index, stamp: generation)
                    return (1, index, true)
                }
                if slots[slot].key == key {
                    slots[slot].count += 1
                    return (slots[slot].count, slots[slot].first, false)
                }
                slot = (slot + 1) & mask
            }
        }
        if result.2 { used += 1 }
        return (result.0, result.1, slot)
    }

    /// The current count of the key in `slot` (as returned by `increment`).
    @inline(__always)
    func count(atSlot slot: Int) -> UInt32 {
        slots.withUnsafeBufferPointer { $0[slot].count }
    }

    /// Inserts `key`; returns false when it was already present.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        increment(key, index: 0).count == 1
    }

    /// Whether `key` is present (no insertion).
    func contains(_ key: UInt64) -> Bool {
        guard !slots.isEmpty else { return false }
        var slot = home(key)
        return slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            while slots[slot].stamp == generation {
                if slots[slot].key == key { return true }
                slot = (slot + 1) & mask
            }
            return false
        }
    }

    private mutating func grow() {
        let live = slots.filter { $0.stamp == generation && generation != 0 }
        allocate(max(64, slots.count * 2))
        generation = 1
        for var entry in live {
            entry.stamp = generation
            var slot = home(entry.key)
            while slots[slot].stamp == generation { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = entry
        }
    }
}
