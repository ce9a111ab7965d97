import Testing
@testable import YiTokenizer

/// The segment cache keeps, at each eviction, the parts found since the previous one, and must
/// hand back exactly the ids stored with a part, wherever compaction moved it.
@Suite struct SegmentCacheTests {
    /// Key `word<n>` with ids n, n+1, ... (n+1 of them): every entry has its own size.
    static func key(_ n: Int) -> [UInt8] { Array("word\(n)".utf8) }
    static func ids(_ n: Int) -> [UInt32] { (0...n % 7).map { UInt32(n * 10 + $0) } }

    static func insert(_ cache: SegmentCache, _ n: Int) {
        let key = key(n), ids = ids(n)
        key.withUnsafeBufferPointer { k in
            ids.withUnsafeBufferPointer { cache.insert(hash: SegmentCache.hash(k.baseAddress!, k.count), k.baseAddress!, k.count, ids: $0) }
        }
    }

    static func lookup(_ cache: SegmentCache, _ n: Int) -> [UInt32]? {
        key(n).withUnsafeBufferPointer { k in
            cache.lookup(hash: SegmentCache.hash(k.baseAddress!, k.count), k.baseAddress!, k.count).map(Array.init)
        }
    }

    @Test func evictionKeepsThePartsFoundSinceTheLastOne() {
        let cache = SegmentCache(slotCount: 32, arenaBytes: 1 << 16)   // 16 parts
        for n in 0..<16 { Self.insert(cache, n) }
        for n in [3, 9, 15] { #expect(Self.lookup(cache, n) == Self.ids(n)) }
        Self.insert(cache, 16)   // full: evicts
        #expect(cache.count == 4)
        // (A lookup marks a part as found: 3 and 16 are found again, 9 and 15 are not.)
        for n in [3, 16] { #expect(Self.lookup(cache, n) == Self.ids(n), "part \(n)") }
        for n in [0, 1, 2, 4, 14] { #expect(Self.lookup(cache, n) == nil, "part \(n)") }

        // Found before the last eviction but not since: dropped at the next one.
        for n in 17..<29 { Self.insert(cache, n) }
        #expect(Self.lookup(cache, 20) == Self.ids(20))
        Self.insert(cache, 29)
        #expect(cache.count == 4)
        for n in [3, 16, 20, 29] { #expect(Self.lookup(cache, n) == Self.ids(n), "part \(n)") }
        for n in [9, 15, 17, 28] { #expect(Self.lookup(cache, n) == nil, "part \(n)") }
    }

    @Test func tooManySurvivorsClearEverything() {
        let cache = SegmentCache(slotCount: 32, arenaBytes: 1 << 16)
        for n in 0..<16 { Self.insert(cache, n) }
        for n in 0..<9 { _ = Self.lookup(cache, n) }   // more than half were found
        Self.insert(cache, 16)
        #expect(cache.count == 1)
        #expect(Self.lookup(cache, 16) == Self.ids(16))
        #expect(Self.lookup(cache, 0) == nil)
    }

    @Test func aFullArenaEvictsAndCompactedPartsKeepTheirIDs() {
        // Room for about 40 parts in the arena, far more slots: the arena decides.
        let cache = SegmentCache(slotCount: 1 << 10, arenaBytes: 1600)
        var found: Set<Int> = []
        for n in 0..<400 {
            Self.insert(cache, n)
            if n % 5 == 0 { found.insert(n) }
            for m in found.sorted() where m > n - 12 { _ = Self.lookup(cache, m) }
        }
        // Every part still present answers with its own ids, and recent found parts are there.
        var present = 0
        for n in 0..<400 {
            if let ids = Self.lookup(cache, n) {
                #expect(ids == Self.ids(n), "part \(n)")
                present += 1
            }
        }
        #expect(present > 10)
        #expect(Self.lookup(cache, 395) == Self.ids(395))
    }
}
