#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CYiPrefetch

/// A bounded per-thread cache from a part of a text (its normalized bytes) to its token ids.
///
/// Real text repeats its words constantly, so most parts are found here and skip merging.
/// Memory is fixed: 8-byte slots (hash tag, offset) and one arena in which each entry keeps a
/// header, its key bytes and its ids side by side, so a hit touches two cache lines.
///
/// When the arena or the table fills up, the entries that were found at least once since the
/// last eviction stay (moved to the front of the arena) and the others go: the frequent words
/// stay for good, where dropping everything made each of them miss (and merge) again after
/// every eviction. If the survivors would fill more than half the cache, everything goes.
/// No locks: each `SentencePieceEncoder` owns one.
final class SegmentCache {
    private struct Slot {
        var tag: UInt32      // 0 = empty
        var offset: Int32    // of the entry in `arena`
    }

    /// An entry's first 4 bytes: key length (16 bits), id count (15 bits), found since the
    /// last eviction (top bit). Key bytes follow, padded to 4, then the ids.
    private static let foundFlag: UInt32 = 1 << 31
    private static let headerBytes = 4

    private let slots: UnsafeMutablePointer<Slot>
    private let slotMask: Int
    private let maxEntries: Int
    private let arena: UnsafeMutableRawPointer
    private let arenaCapacity: Int
    private var entries = 0
    private var arenaUsed = 0

    /// Keys longer than this are not cached...
    static let maxLength = Int(UInt16.max)
    /// ...nor id lists longer than this.
    static let maxIDs = Int(Int16.max)

    /// The cache of an encoder that runs alone: 12 MB (4 MB of slots), 256 K parts (parts average
    /// about 30 bytes with ids). Against 64 K parts, `pack` was 22% faster on text that repeats
    /// (the replicated benchmark corpus) and 0–4% on text that does not (docs/performance.md,
    /// fifth pass).
    static func alone() -> SegmentCache { SegmentCache(slotCount: 1 << 19, arenaBytes: 8 << 20) }

    /// The cache of each of several encoders that run at once: half the size, 6 MB. Two caches
    /// of 12 MB and the model's tables fill the last-level cache the cores share, and every
    /// lookup waits longer: at 2 threads, `pack` took 3–9% less time (medians of 8–10 rounds)
    /// with half-size caches, and as much time at 1 thread (docs/performance.md, sixth pass).
    static func besideOthers() -> SegmentCache { SegmentCache(slotCount: 1 << 18, arenaBytes: 4 << 20) }

    /// - Parameter slotCount: a power of two; the cache holds up to half as many parts.
    init(slotCount: Int, arenaBytes: Int) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0)
        // Empty slots are zero: calloc gives them without touching their pages, so an encoder
        // that lives for one short text does not write 4 MB first.
        guard let zeroed = calloc(slotCount, MemoryLayout<Slot>.stride) else { fatalError("out of memory for the segment cache") }
        slots = zeroed.bindMemory(to: Slot.self, capacity: slotCount)
        slotMask = slotCount - 1
        maxEntries = slotCount / 2
        arena = .allocate(byteCount: arenaBytes, alignment: 8)
        arenaCapacity = arenaBytes
    }

    deinit {
        free(slots)
        arena.deallocate()
    }

    /// Bytes of memory the cache holds, whatever its contents.
    var footprint: Int { (slotMask + 1) * MemoryLayout<Slot>.stride + arenaCapacity }

    /// Parts cached now.
    var count: Int { entries }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 { ByteHash.hash(p, count) }

    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash >> 32) | 1 }

    @inline(__always)
    private static func idsOffset(_ keyLength: Int) -> Int { headerBytes + (keyLength + 3) & ~3 }

    /// The cached ids of the part, if present.
    @inline(__always)
    func lookup(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int) -> UnsafeBufferPointer<UInt32>? {
        let tag = Self.tag(hash)
        var index = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let slot = slots[index]
            if slot.tag == 0 { return nil }
            if slot.tag == tag {
                let entry = arena + Int(slot.offset)
                let header = entry.load(as: UInt32.self)
                if Int(header & 0xFFFF) == count
                    && ByteHash.equal((entry + Self.headerBytes).assumingMemoryBound(to: UInt8.self), p, count) {
                    if header & Self.foundFlag == 0 { entry.storeBytes(of: header | Self.foundFlag, as: UInt32.self) }
                    let ids = (entry + Self.idsOffset(count)).assumingMemoryBound(to: UInt32.self)
                    return UnsafeBufferPointer(start: ids, count: Int(header >> 16 & 0x7FFF))
                }
            }
            index = (index + 1) & slotMask
        }
    }

    /// Starts loading the slot where a lookup of `hash` begins (a hint: see `PendingParts`).
    @inline(__always)
    func prefetchSlot(hash: UInt64) {
        yi_prefetch(slots + (Int(truncatingIfNeeded: hash) & slotMask))
    }

    /// Starts loading the entry a lookup of `hash` would compare first, when the slot (loaded
    /// by now) has its tag.
    @inline(__always)
    func prefetchEntry(hash: UInt64) {
        let slot = slots[Int(truncatingIfNeeded: hash) & slotMask]
        if slot.tag == Self.tag(hash) { yi_prefetch(arena + Int(slot.offset)) }
    }

    /// Stores the part's ids (the part must not be present).
    func insert(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int, ids: UnsafeBufferPointer<UInt32>) {
        let size = Self.idsOffset(count) + ids.count * 4
        guard count <= Self.maxLength, ids.count <= Self.maxIDs, size <= arenaCapacity / 4 else { return }
        if entries >= maxEntries || arenaUsed + size > arenaCapacity { evict() }
        let entry = arena + arenaUsed
        entry.storeBytes(of: UInt32(count) | UInt32(ids.count) << 16, as: UInt32.self)
        (entry + Self.headerBytes).copyMemory(from: p, byteCount: count)
        if let base = ids.baseAddress { (entry + Self.idsOffset(count)).copyMemory(from: base, byteCount: ids.count * 4) }
        place(tag: Self.tag(hash), home: Int(truncatingIfNeeded: hash), offset: arenaUsed)
        arenaUsed += size
        entries += 1
    }

    @inline(__always)
    private func place(tag: UInt32, home: Int, offset: Int) {
        var index = home & slotMask
        while slots[index].tag != 0 { index = (index + 1) & slotMask }
        slots[index] = Slot(tag: tag, offset: Int32(offset))
    }

    /// Keeps the entries found since the last eviction (compacted to the front of the arena,
    /// their flags cleared) and drops the rest; drops everything when the survivors would
    /// leave less than half the cache free.
    func evict() {
        for i in 0...slotMask { slots[i].tag = 0 }
        var read = 0
        var write = 0
        var kept = 0
        while read < arenaUsed {
            let header = (arena + read).load(as: UInt32.self)
            let keyLength = Int(header & 0xFFFF)
            let size = Self.idsOffset(keyLength) + Int(header >> 16 & 0x7FFF) * 4
            if header & Self.foundFlag != 0 {
                if write != read { (arena + write).copyMemory(from: arena + read, byteCount: size) }
                (arena + write).storeBytes(of: header & ~Self.foundFlag, as: UInt32.self)
                let hash = Self.hash((arena + write + Self.headerBytes).assumingMemoryBound(to: UInt8.self), keyLength)
                place(tag: Self.tag(hash), home: Int(truncatingIfNeeded: hash), offset: write)
                write += size
                kept += 1
            }
            read += size
        }
        if kept > maxEntries / 2 || write > arenaCapacity / 2 {
            clear()
            return
        }
        entries = kept
        arenaUsed = write
    }

    func clear() {
        for i in 0...slotMask { slots[i].tag = 0 }
        entries = 0
        arenaUsed = 0
    }
}
