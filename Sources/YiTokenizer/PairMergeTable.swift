/// What the encoder knows about two adjacent symbols, in one hash probe: whether they merge
/// (into which id, with which score rank) and whether the two appear next to each other in
/// any mergeable piece at all (if not, no merge can ever join them: the text can be cut there).
///
/// Lookup values: 0 = never adjacent in a piece; `adjacentOnly` = adjacent somewhere but no
/// merge; otherwise merged id << 32 | rank (rank >= 1, in SentencePiece's score order).
///
/// Each slot is one UInt64 (left id: 21 bits, right id: 21 bits, merged id or `noMerge`: 21
/// bits) and tables are up to 3/4 full, so the random probes of the merge loop mostly stay in
/// cache (Yi: 512 KB for character pairs, 1 MB for the rest). Hence the limit of 2^21 - 1
/// symbols, far above any real vocabulary.
///
/// Most pairs asked about are absent (76% of the character pairs of Chinese text), and a probe
/// of the slots, which the segment cache keeps pushing out of L2, was a third of Chinese
/// encoding time. So a bit array of one bit per hash bucket (16–32 bits per pair, at most
/// 128 KB) answers most absent pairs first: Yi's character pairs leave 3% of its 512 K bits set,
/// its piece merges 9% of 1 M. Chinese encoded 15% faster with it in front of the character pairs and
/// 5% more with it in front of the piece merges (docs/performance.md, sixth pass).
struct PairMergeTable: @unchecked Sendable {
    let slots: UnsafeMutablePointer<UInt64>
    let mask: Int
    let shift: UInt64
    /// Score rank per merged id.
    let ranks: UnsafeMutablePointer<UInt32>
    /// Bits `hash >> 24` of every pair in the table (the slot index takes the top bits; the
    /// multiplicative hash's lowest bits mix poorly).
    let presence: PresenceFilter

    static let idBits: UInt64 = 21
    static let idLimit: UInt32 = (1 << 21) - 1
    static let keyMask: UInt64 = (1 << 42) - 1
    static let noMerge: UInt64 = (1 << 21) - 1
    static let empty = UInt64.max
    static let adjacentOnly: UInt64 = 0xFFFF_FFFF_0000_0000

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << idBits | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    static func hash(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }

    /// Builds the table from (left, right, merged or -1 for adjacency only) triples; a pair
    /// given several times keeps a merge over adjacency. `ranks` has one rank per merged id.
    /// `maxLoadEighths`: the table is at most that many eighths full for `distinctKeys`, the
    /// number of distinct pairs in `entries` (or a bound on it), which the caller knows from
    /// building them (a merge of two characters is listed twice: as a merge and as an adjacency).
    init(storage: TableStorage, entries: [(left: Int32, right: Int32, merged: Int32)], ranks: UnsafeMutablePointer<UInt32>,
         maxLoadEighths: Int = 6, distinctKeys: Int) {
        var bits = 4
        while (1 << bits) * maxLoadEighths < distinctKeys * 8 { bits += 1 }
        let capacity = 1 << bits
        mask = capacity - 1
        shift = UInt64(64 - bits)
        slots = storage.allocate(capacity, repeating: Self.empty)
        self.ranks = ranks
        var presenceBits = 1 << 12
        while presenceBits < distinctKeys * 16 && presenceBits < Self.maxPresenceBits { presenceBits <<= 1 }
        presence = PresenceFilter(storage: storage, bits: presenceBits)
        for entry in entries {
            let key = Self.key(entry.left, entry.right)
            let hash = Self.hash(key)
            presence.insert(hash >> 24)
            let value = entry.merged < 0 ? Self.noMerge : UInt64(entry.merged)
            var slot = Int(truncatingIfNeeded: hash >> shift)
            while slots[slot] != Self.empty && slots[slot] & Self.keyMask != key { slot = (slot + 1) & mask }
            if slots[slot] != Self.empty && value == Self.noMerge { continue }
            slots[slot] = value << 42 | key
        }
    }

    /// The value for the pair (see the type's notes); 0 when absent. Ids outside the table's
    /// range (unknown characters, frozen pieces) are never in it.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> UInt64 { value(ofFound: find(left, right)) }

    /// `lookup` without the rank (a second, random memory access), for callers that mostly
    /// need only whether the pair is present or merges: 0 when absent, else
    /// `found` | merged id or `noMerge`. `value(ofFound:)` completes it.
    @inline(__always)
    func find(_ left: Int32, _ right: Int32) -> UInt64 {
        // Ids are below idLimit = 2^21 - 1, so one test rejects both sides (negative ids too).
        if (UInt32(bitPattern: left) | UInt32(bitPattern: right)) >> Self.idBits != 0 { return 0 }
        let key = Self.key(left, right)
        let hash = Self.hash(key)
        if !presence.mayContain(hash >> 24) { return 0 }
        var slot = Int(truncatingIfNeeded: hash &>> shift)
        while true {
            let stored = slots[slot]
            if stored & Self.keyMask == key { return Self.found | stored >> 42 }
            if stored == Self.empty { return 0 }
            slot = (slot + 1) & mask
        }
    }

    /// The filter's largest size, 128 KB: it must stay much smaller than the slots it saves
    /// reading (larger filters measured slower on Chinese).
    static let maxPresenceBits = 1 << 20

    /// Marks a present pair in `find`'s result.
    static let found: UInt64 = 1 << 32

    /// The merged id of a `find` result that merges, or nil.
    @inline(__always)
    static func mergedID(ofFound found: UInt64) -> Int32? {
        let merged = found & noMerge
        return found != 0 && merged != noMerge ? Int32(truncatingIfNeeded: merged) : nil
    }

    /// The `lookup` value of a `find` result.
    @inline(__always)
    func value(ofFound found: UInt64) -> UInt64 {
        if found == 0 { return 0 }
        let merged = found & Self.noMerge
        return merged == Self.noMerge ? Self.adjacentOnly : merged << 32 | UInt64(ranks[Int(merged)])
    }
}

extension Float {
    /// A rank with the order SentencePiece's merge agenda uses for piece scores (0.2.x's
    /// integer-bit comparator: negative values by reversed bit pattern, -0 below +0), kept
    /// above 0 so that 0 can mean "no merge".
    var mergeRank: UInt32 {
        let bits = bitPattern
        let rank = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        return Swift.max(rank, 1)
    }
}

/// A growing open-addressing set of (left, right) symbol pairs, to list each pair once while
/// the model's pieces are walked (Yi: 257 K character adjacencies, 18 K of them distinct).
/// Raw memory: this runs once per adjacency at model load, where array checks doubled its cost.
final class PairKeySet {
    private var slots: UnsafeMutablePointer<UInt64>
    private var capacity: Int
    private var shift: UInt64
    private(set) var count = 0

    /// - Parameter expected: how many distinct pairs to hold without growing (more still fit:
    ///   the set then grows).
    init(expected: Int) {
        var bits: UInt64 = 12
        while 1 << bits < expected * 2 + 1 { bits += 1 }
        capacity = 1 << Int(bits)
        shift = 64 - bits
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: PairMergeTable.empty, count: capacity)
    }

    deinit { slots.deallocate() }

    /// Adds the pair; false when it was there already.
    @inline(__always)
    func insert(_ left: Int32, _ right: Int32) -> Bool {
        if count &* 2 >= capacity { grow() }
        return insert(key: PairMergeTable.key(left, right))
    }

    @inline(__always)
    private func insert(key: UInt64) -> Bool {
        let mask = capacity &- 1
        var slot = Int(truncatingIfNeeded: PairMergeTable.hash(key) &>> shift)
        while slots[slot] != PairMergeTable.empty {
            if slots[slot] == key { return false }
            slot = (slot &+ 1) & mask
        }
        slots[slot] = key
        count &+= 1
        return true
    }

    @inline(never)
    private func grow() {
        let old = slots, oldCapacity = capacity
        capacity *= 2
        shift -= 1
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: PairMergeTable.empty, count: capacity)
        count = 0
        for i in 0..<oldCapacity where old[i] != PairMergeTable.empty { _ = insert(key: old[i]) }
        old.deallocate()
    }
}
