#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Remembers, one bit per hash bucket, which parts have been seen, so that a part is looked up
/// in (and stored into) the segment cache only from its second sighting on.
///
/// Why: most runs of a Chinese clause that are long enough to be cached occur once (in 2.6 MB
/// of Chinese, 72% of the runs of four or more characters never recur). Each such run cost a
/// lookup that missed and an insertion, both random accesses to the 12 MB cache, and its entry
/// then evicted others. Its bit here costs one access to 64 KB, which stays in L2.
///
/// A bit may be set by another part with the same bucket: that part is then looked up on its
/// first sighting, which is harmless. The cache never changes ids, so neither does this filter.
/// When half of the bits are set the filter is cleared, so old sightings do not fill it.
final class SightingFilter {
    private let words: UnsafeMutablePointer<UInt64>
    private let bucketMask: Int
    private var setBits = 0

    /// - Parameter bucketCount: a power of two, at least 64 (default 512 K bits, 64 KB).
    init(bucketCount: Int = 1 << 19) {
        precondition(bucketCount >= 64 && bucketCount & (bucketCount - 1) == 0)
        guard let zeroed = calloc(bucketCount / 64, MemoryLayout<UInt64>.stride) else {
            fatalError("out of memory for the sighting filter")
        }
        words = zeroed.bindMemory(to: UInt64.self, capacity: bucketCount / 64)
        bucketMask = bucketCount - 1
    }

    deinit { free(words) }

    /// Whether a part with this hash was seen before; marks it as seen. The bucket comes from
    /// the hash's middle bits: the cache's slot uses the low bits and its tag the high ones.
    @inline(__always)
    func sawBefore(hash: UInt64) -> Bool {
        let bucket = Int(truncatingIfNeeded: hash >> 24) & bucketMask
        let bit: UInt64 = 1 << UInt64(bucket & 63)
        let word = words[bucket >> 6]
        if word & bit != 0 { return true }
        words[bucket >> 6] = word | bit
        setBits &+= 1
        if setBits > bucketMask / 2 { clear() }
        return false
    }

    private func clear() {
        words.update(repeating: 0, count: (bucketMask + 1) / 64)
        setBits = 0
    }
}
