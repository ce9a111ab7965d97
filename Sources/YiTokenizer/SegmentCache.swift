/// A bounded per-thread cache from a part of a text (its normalized bytes) to its token ids.
///
/// Real text repeats its words constantly, so most parts are found here and skip merging.
/// Memory is fixed: 12-byte slots (hash, lengths, offset) and one arena in which each entry
/// keeps its key bytes and its ids side by side, so a hit touches two cache lines. When the
/// arena fills up or the table is half full, everything is dropped and filling starts again.
/// No locks: each `SentencePieceEncoder` owns one.
final class SegmentCache {
    private struct Slot {
        var hash: UInt32      // 0 = empty
        var keyLength: UInt16
        var idCount: UInt16
        var offset: Int32     // of the entry in `arena`: key bytes, padding to 4, ids
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let slotMask: Int
    private let maxEntries: Int
    private let arena: UnsafeMutableRawPointer
    private let arenaCapacity: Int
    private var entries = 0
    private var arenaUsed = 0

    /// Keys and id lists longer than this are not cached.
    static let maxLength = Int(UInt16.max)

    /// - Parameter slotCount: a power of two; the cache holds up to half as many parts.
    init(slotCount: Int = 1 << 16, arenaBytes: Int = 4 << 20) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(hash: 0, keyLength: 0, idCount: 0, offset: 0), count: slotCount)
        slotMask = slotCount - 1
        maxEntries = slotCount / 2
        arena = .allocate(byteCount: arenaBytes, alignment: 8)
        arenaCapacity = arenaBytes
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    /// Bytes of memory the cache holds, whatever its contents.
    var footprint: Int { (slotMask + 1) * MemoryLayout<Slot>.stride + arenaCapacity }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 { ByteHash.hash(p, count) }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) | 1 }

    @inline(__always)
    private static func idsOffset(_ keyLength: Int) -> Int { (keyLength + 3) & ~3 }

    /// The cached ids of the part, if present.
    @inline(__always)
    func lookup(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int) -> UnsafeBufferPointer<UInt32>? {
        let tag = Self.tag(hash)
        var index = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let slot = slots[index]
            if slot.hash == 0 { return nil }
            if slot.hash == tag && Int(slot.keyLength) == count {
                let entry = arena + Int(slot.offset)
                if ByteHash.equal(entry.assumingMemoryBound(to: UInt8.self), p, count) {
                    let ids = (entry + Self.idsOffset(count)).assumingMemoryBound(to: UInt32.self)
                    return UnsafeBufferPointer(start: ids, count: Int(slot.idCount))
                }
            }
            index = (index + 1) & slotMask
        }
    }

    /// Stores the part's ids (the part must not be present).
    func insert(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int, ids: UnsafeBufferPointer<UInt32>) {
        let size = Self.idsOffset(count) + ids.count * 4
        guard count <= Self.maxLength, ids.count <= Self.maxLength, size <= arenaCapacity / 4 else { return }
        if entries >= maxEntries || arenaUsed + size > arenaCapacity { clear() }
        var index = Int(truncatingIfNeeded: hash) & slotMask
        while slots[index].hash != 0 { index = (index + 1) & slotMask }
        let entry = arena + arenaUsed
        entry.copyMemory(from: p, byteCount: count)
        if let base = ids.baseAddress { (entry + Self.idsOffset(count)).copyMemory(from: base, byteCount: ids.count * 4) }
        slots[index] = Slot(hash: Self.tag(hash), keyLength: UInt16(count), idCount: UInt16(ids.count), offset: Int32(arenaUsed))
        arenaUsed += size
        entries += 1
    }

    func clear() {
        for i in 0...slotMask { slots[i].hash = 0 }
        entries = 0
        arenaUsed = 0
    }
}
