/// One bit per hash bucket, set for the hash of every key of a table: a clear bit proves a key
/// absent with one load from a bit array far smaller than the table, before any slot is probed
/// (the pair tables, where most pairs asked about are absent, and the piece table at model load).
/// Set bits only say "maybe": the table decides.
struct PresenceFilter: @unchecked Sendable {
    private let words: UnsafeMutablePointer<UInt64>
    private let mask: Int

    /// A filter of `bits` bits (a power of two, at least 64).
    init(storage: TableStorage, bits: Int) {
        precondition(bits >= 64 && bits & (bits - 1) == 0, "a filter's size is a power of two")
        words = storage.allocate(bits / 64, repeating: 0)
        mask = bits - 1
    }

    /// `hashBits`: the key's hash shifted so that its low bits are ones the table's slot index
    /// does not use (then a filter hit and a slot collision are independent).
    @inline(__always)
    func insert(_ hashBits: UInt64) {
        let bucket = Int(truncatingIfNeeded: hashBits) & mask
        words[bucket >> 6] |= 1 << UInt64(bucket & 63)
    }

    /// False when no key with these hash bits was inserted.
    @inline(__always)
    func mayContain(_ hashBits: UInt64) -> Bool {
        let bucket = Int(truncatingIfNeeded: hashBits) & mask
        return words[bucket >> 6] & (1 << UInt64(bucket & 63)) != 0
    }
}
