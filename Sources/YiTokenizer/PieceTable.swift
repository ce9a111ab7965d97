/// An immutable map from byte strings to ids: the strings of a `ByteArena`, each mapping to its
/// own index (SentencePiece's `pieces_` map, plus the model's virtual characters). Open
/// addressing with linear probing over a power-of-two slot array.
struct PieceTable: @unchecked Sendable {
    let arena: ByteArena
    /// Slot -> id, -1 when empty.
    let slots: UnsafeMutablePointer<Int32>
    let mask: Int
    /// Bits `hash >> 32` of every key (the slot index takes the low bits): most absent keys
    /// are answered there, without probing slots and comparing the strings they hold (the model
    /// load asks ~320 K lookups of piece splits, 41% of them absent).
    let presence: PresenceFilter

    /// Maps `arena[id]` to `id` for each id in `ids`; fails with the first repeated string.
    static func build(storage: TableStorage, arena: ByteArena, ids: [Int32]) -> Result<PieceTable, DuplicateKey> {
        var capacity = 16
        while capacity < ids.count * 2 { capacity <<= 1 }
        // 16 bits per key or more (8, 16 and 32 measured the same).
        let table = PieceTable(arena: arena, slots: storage.allocate(capacity, repeating: -1), mask: capacity - 1,
                               presence: PresenceFilter(storage: storage, bits: capacity * 8))
        for id in ids {
            let key = arena[Int(id)]
            let start = key.baseAddress!
            let hash = ByteHash.hash(start, key.count)
            table.presence.insert(hash >> 32)
            var slot = Int(truncatingIfNeeded: hash) & table.mask
            while true {
                let existing = table.slots[slot]
                if existing < 0 {
                    table.slots[slot] = id
                    break
                }
                let other = arena[Int(existing)]
                if other.count == key.count, ByteHash.equal(other.baseAddress!, start, key.count) {
                    return .failure(DuplicateKey(first: existing, second: id))
                }
                slot = (slot + 1) & table.mask
            }
        }
        return .success(table)
    }

    struct DuplicateKey: Error {
        var first: Int32
        var second: Int32
    }

    /// The id of the bytes, or -1.
    @inline(__always)
    func lookup(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
        let hash = ByteHash.hash(p, count)
        if !presence.mayContain(hash >> 32) { return -1 }
        var slot = Int(truncatingIfNeeded: hash) & mask
        let offsets = arena.offsets
        while true {
            let id = slots[slot]
            if id < 0 { return -1 }
            let start = Int(offsets[Int(id)])
            if Int(offsets[Int(id) + 1]) - start == count, ByteHash.equal(arena.bytes + start, p, count) {
                return id
            }
            slot = (slot + 1) & mask
        }
    }

    func lookup(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return lookup(base, buffer.count)
        }
    }
}
