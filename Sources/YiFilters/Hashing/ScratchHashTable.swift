/// A per-document scratch table of 64-bit keys (already well mixed) with a count and the index
/// of each key's first occurrence. Open addressing with linear probing, load factor ≤ 1/2,
/// 16-byte slots; key 0 marks an empty slot (a real key 0 is stored as 1).
///
/// `reset` sizes the active part of the table for the keys to come and clears only that part,
/// so a small document after a large one touches a small, cache-resident region. The storage is
/// kept between documents: the hot path does not allocate once the largest document was seen.
struct ScratchHashTable {
    private struct Slot {
        var key: UInt64 = 0
        var count: UInt32 = 0
        var first: UInt32 = 0
    }

    private var slots: [Slot] = []
    /// Slots in use: a power of two ≤ `slots.count`.
    private var capacity = 0
    private var shift: UInt64 = 64
    private var used = 0

    /// Empties the table, sized for about `expectedKeys` keys (it grows past that when needed).
    mutating func reset(expectedKeys: Int = 0) {
        var capacity = 64
        while capacity < expectedKeys * 2 { capacity <<= 1 }
        activate(capacity)
    }

    private mutating func activate(_ capacity: Int) {
        if slots.count < capacity { slots = [Slot](repeating: Slot(), count: capacity) }
        slots.withUnsafeMutableBufferPointer { slots in
            for i in 0..<capacity { slots[i] = Slot() }
        }
        self.capacity = capacity
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        used = 0
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Adds one occurrence of `key` (first seen at `index` if new); returns its count, first
    /// index, and slot (valid until the table grows or is reset; see `count(atSlot:)`).
    @inline(__always)
    mutating func increment(_ key0: UInt64, index: UInt32) -> (count: UInt32, first: UInt32, slot: Int) {
        if (used + 1) * 2 > capacity { grow() }
        let key = key0 == 0 ? 1 : key0
        var slot = home(key)
        let mask = capacity - 1
        let result: (UInt32, UInt32, Bool) = slots.withUnsafeMutableBufferPointer { slots in
            while true {
                let stored = slots[slot].key
                if stored == 0 {
                    slots[slot] = Slot(key: key, count: 1, first: index)
                    return (1, index, true)
                }
                if stored == key {
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
    func contains(_ key0: UInt64) -> Bool {
        guard capacity > 0 else { return false }
        let key = key0 == 0 ? 1 : key0
        var slot = home(key)
        let mask = capacity - 1
        return slots.withUnsafeBufferPointer { slots in
            while slots[slot].key != 0 {
                if slots[slot].key == key { return true }
                slot = (slot + 1) & mask
            }
            return false
        }
    }

    private mutating func grow() {
        let live = slots.prefix(capacity).filter { $0.key != 0 }
        activate(max(64, capacity * 2))
        let mask = capacity - 1
        for entry in live {
            var slot = home(entry.key)
            while slots[slot].key != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
        used = live.count
    }
}
