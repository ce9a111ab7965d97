import Testing
@testable import YiTokenizer

@Suite struct SightingFilterTests {
    /// A hash whose bucket (bits 24 and up) is `bucket`; the other bits vary so that the test
    /// shows they are ignored.
    static func hash(bucket: Int, noise: UInt64 = 0) -> UInt64 { UInt64(bucket) << 24 | noise & 0xFF_FFFF }

    @Test func aPartIsNewOnlyOnItsFirstSighting() {
        let filter = SightingFilter(bucketCount: 1 << 10)
        #expect(!filter.sawBefore(hash: Self.hash(bucket: 5)))
        #expect(filter.sawBefore(hash: Self.hash(bucket: 5)))
        #expect(filter.sawBefore(hash: Self.hash(bucket: 5, noise: 0xABCDEF)))
        #expect(!filter.sawBefore(hash: Self.hash(bucket: 6)))
        // Buckets wrap around the filter's size: bucket 5 + 1024 is bucket 5.
        #expect(filter.sawBefore(hash: Self.hash(bucket: 5 + (1 << 10))))
        #expect(!filter.sawBefore(hash: Self.hash(bucket: 1023)))
        #expect(filter.sawBefore(hash: Self.hash(bucket: 1023)))
    }

    @Test func theFilterClearsWhenHalfOfItsBitsAreSet() {
        let filter = SightingFilter(bucketCount: 64)
        for bucket in 0..<31 { #expect(!filter.sawBefore(hash: Self.hash(bucket: bucket))) }
        for bucket in 0..<31 { #expect(filter.sawBefore(hash: Self.hash(bucket: bucket)), "bucket \(bucket)") }
        // The 32nd bit set is one more than half of 63: everything is forgotten.
        #expect(!filter.sawBefore(hash: Self.hash(bucket: 40)))
        for bucket in [0, 17, 30, 40] { #expect(!filter.sawBefore(hash: Self.hash(bucket: bucket)), "bucket \(bucket)") }
        #expect(filter.sawBefore(hash: Self.hash(bucket: 17)))
    }
}
