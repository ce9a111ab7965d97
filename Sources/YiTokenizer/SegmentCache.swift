/// A bounded per-thread cache from a text segment's normalized bytes to its token ids.
///
/// Real text repeats its words constantly, so most segments are found here and skip BPE
/// entirely. Memory is fixed: a power-of-two slot table plus two arenas (key bytes, ids); when
/// either fills up, or the table is half full, everything is dropped and filling starts again.
/// No locks: each `SentencePieceEncoder` owns one.
final class SegmentCache {
    private struct Slot {
        var hash: UInt64      // 0 = empty
        var keyOffset: Int32
        var keyLength: Int32
        var valueOffset: Int32
        var valueCount: Int32
    }

    private let slots: UnsafeMutablePointer<Slot>
    private let slotMask: Int
    private let maxEntries: Int
    private let keys: UnsafeMutablePointer<UInt8>
    private let keyCapacity: Int
    private let values: UnsafeMutablePointer<UInt32>
    private let valueCapacity: Int
    private var entries = 0
    private var keysUsed = 0
    private var valuesUsed = 0

    /// - Parameter slotCount: a power of two; the cache holds up to half as many segments.
    init(slotCount: Int = 1 << 16, keyBytes: Int = 2 << 20, valueCount: Int = 1 << 19) {
        precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: Slot(hash: 0, keyOffset: 0, keyLength: 0, valueOffset: 0, valueCount: 0), count: slotCount)
        slotMask = slotCount - 1
        maxEntries = slotCount / 2
        keys = .allocate(capacity: keyBytes)
        keyCapacity = keyBytes
        values = .allocate(capacity: valueCount)
        valueCapacity = valueCount
    }

    deinit {
        slots.deallocate()
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes of memory the cache holds, whatever its contents.
    var footprint: Int { (slotMask + 1) * MemoryLayout<Slot>.stride + keyCapacity + valueCapacity * 4 }

    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let h = ByteHash.hash(p, count)
        return h == 0 ? 1 : h
    }

    /// The cached ids of the segment, if present.
    @inline(__always)
    func lookup(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int) -> UnsafeBufferPointer<UInt32>? {
        var index = Int(truncatingIfNeeded: hash) & slotMask
        while true {
            let slot = slots[index]
            if slot.hash == 0 { return nil }
            if slot.hash == hash && Int(slot.keyLength) == count && ByteHash.equal(keys + Int(slot.keyOffset), p, count) {
                return UnsafeBufferPointer(start: values + Int(slot.valueOffset), count: Int(slot.valueCount))
            }
            index = (index + 1) & slotMask
        }
    }

    /// Stores the segment's ids (the segment must not be present).
    func insert(hash: UInt64, _ p: UnsafePointer<UInt8>, _ count: Int, ids: UnsafeBufferPointer<UInt32>) {
        guard count <= keyCapacity / 4, ids.count <= valueCapacity / 4 else { return }
        if entries >= maxEntries || keysUsed + count > keyCapacity || valuesUsed + ids.count > valueCapacity {
            clear()
        }
        var index = Int(truncatingIfNeeded: hash) & slotMask
        while slots[index].hash != 0 { index = (index + 1) & slotMask }
        (keys + keysUsed).update(from: p, count: count)
        if let base = ids.baseAddress { (values + valuesUsed).update(from: base, count: ids.count) }
        slots[index] = Slot(hash: hash, keyOffset: Int32(keysUsed), keyLength: Int32(count),
                            valueOffset: Int32(valuesUsed), valueCount: Int32(ids.count))
        keysUsed += count
        valuesUsed += ids.count
        entries += 1
    }

    func clear() {
        for i in 0...slotMask { slots[i].hash = 0 }
        entries = 0
        keysUsed = 0
        valuesUsed = 0
    }
}
