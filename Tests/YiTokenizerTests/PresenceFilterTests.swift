import Testing
import YiCore
@testable import YiTokenizer

/// `PresenceFilter` lets the pair tables and the piece table skip absent keys: a false "absent"
/// would silently drop a merge rule or a piece, so every inserted key must be reported present.
@Suite struct PresenceFilterTests {
    @Test func everyInsertedKeyIsReportedPresent() {
        let storage = TableStorage()
        var generator = SplitMix64(seed: 16)
        for bits in [64, 1 << 12, 1 << 20] {
            let filter = PresenceFilter(storage: storage, bits: bits)
            let keys = (0..<5_000).map { _ in generator.next() }
            for key in keys { filter.insert(key) }
            for key in keys { #expect(filter.mayContain(key), "\(bits) bits, key \(key)") }
        }
    }

    @Test func anEmptyFilterHoldsNothingAndASparseOneFewKeys() {
        let storage = TableStorage()
        var generator = SplitMix64(seed: 7)
        let filter = PresenceFilter(storage: storage, bits: 1 << 16)
        #expect(!(0..<10_000).contains { _ in filter.mayContain(generator.next()) })
        // 1,000 keys set at most 1,000 of 65,536 bits: a key never inserted is rarely "maybe".
        for _ in 0..<1_000 { filter.insert(generator.next()) }
        let maybes = (0..<10_000).filter { _ in filter.mayContain(generator.next()) }.count
        #expect(maybes < 400, "\(maybes) of 10,000 absent keys passed a filter 1.5% full")
    }
}
