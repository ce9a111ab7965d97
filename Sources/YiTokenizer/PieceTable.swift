/// An immutable map from byte strings to ids: the vocabulary's pieces (SentencePiece's
/// `pieces_` map), plus any extra keys the model adds (single characters that only occur
/// inside pieces). Open addressing with linear probing over a power-of-two slot array.
struct PieceTable: Sendable {
    let keys: ByteArena
    /// The id stored for key k.
    let values: FrozenBuffer<Int32>
    /// Slot -> key index, -1 when empty.
    let slots: FrozenBuffer<Int32>
    let mask: Int

    /// Builds the table. Fails with the indices of the first repeated key.
    static func build(keys: [[UInt8]], values: [Int32]) -> Result<PieceTable, DuplicateKey> {
        precondition(keys.count == values.count)
        var capacity = 16
        while capacity < keys.count * 2 { capacity <<= 1 }
        let table = PieceTable(keys: ByteArena(keys), values: FrozenBuffer(values),
                               slots: FrozenBuffer(repeating: -1, count: capacity), mask: capacity - 1)
        for k in 0..<keys.count {
            let key = table.keys[k]
            let start = key.baseAddress!
            var slot = Int(truncatingIfNeeded: ByteHash.hash(start, key.count)) & table.mask
            while true {
                let existing = Int(table.slots[slot])
                if existing < 0 {
                    table.slots[slot] = Int32(k)
                    break
                }
                let other = table.keys[existing]
                if other.count == key.count, ByteHash.equal(other.baseAddress!, start, key.count) {
                    return .failure(DuplicateKey(first: existing, second: k))
                }
                slot = (slot + 1) & table.mask
            }
        }
        return .success(table)
    }

    struct DuplicateKey: Error {
        var first: Int
        var second: Int
    }

    /// The id stored for the bytes, or -1.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        var slot = Int(truncatingIfNeeded: ByteHash.hash(p, count)) & mask
        let offsets = keys.offsets.base
        let arena = keys.bytes.base
        while true {
            let k = Int(slots[slot])
            if k < 0 { return -1 }
            let start = Int(offsets[k])
            if Int(offsets[k + 1]) - start == count, ByteHash.equal(arena + start, p, count) {
                return values[k]
            }
            slot = (slot + 1) & mask
        }
    }

    func lookup(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { buffer in
            // An empty key is never stored; any valid pointer will do for the hash.
            guard let base = buffer.baseAddress else { return -1 }
            return lookup(base, buffer.count)
        }
    }
}

/// The BPE merge rules in id form: (left id, right id) -> (merged id, merged piece's score
/// rank). Built from the vocabulary at load so that the merge loop hashes two integers instead
/// of the concatenated bytes, which is what makes it several times faster than SentencePiece.
struct PairMergeTable: Sendable {
    /// Interleaved (key, value) slots; key `emptyKey` marks an empty slot.
    let slots: FrozenBuffer<UInt64>
    let mask: Int
    let shift: UInt64
    let count: Int

    static let emptyKey = UInt64.max

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        (UInt64(UInt32(bitPattern: left)) << 32) | UInt64(UInt32(bitPattern: right))
    }

    /// value = merged id << 32 | score rank (a rank of 0 never occurs: 0 means "no merge").
    init(entries: [(key: UInt64, value: UInt64)]) {
        var bits = 4
        while (1 << bits) < entries.count * 2 { bits += 1 }
        let capacity = 1 << bits
        mask = capacity - 1
        shift = UInt64(64 - bits)
        count = entries.count
        slots = FrozenBuffer(repeating: 0, count: capacity * 2)
        for i in 0..<capacity { slots[2 * i] = Self.emptyKey }
        for entry in entries {
            var slot = Int(truncatingIfNeeded: (entry.key &* 0x9E37_79B9_7F4A_7C15) >> shift)
            while slots[2 * slot] != Self.emptyKey && slots[2 * slot] != entry.key { slot = (slot + 1) & mask }
            slots[2 * slot] = entry.key
            slots[2 * slot + 1] = entry.value
        }
    }

    /// The packed (merged id, score rank) for the pair, or 0 when the pair does not merge.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 {
        let key = Self.key(left, right)
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let base = slots.base
        while true {
            let k = base[2 * slot]
            if k == key { return base[2 * slot + 1] }
            if k == Self.emptyKey { return 0 }
            slot = (slot + 1) & mask
        }
    }
}

extension Float {
    /// A rank with the order SentencePiece's merge agenda uses for piece scores (0.2.x's
    /// integer-bit comparator: negative values by reversed bit pattern, -0 below +0), shifted
    /// so that 0 is never a rank.
    var mergeRank: UInt32 {
        let bits = bitPattern
        let rank = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return Swift.max(rank, 1)
    }
}
