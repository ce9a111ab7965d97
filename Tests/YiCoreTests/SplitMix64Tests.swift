import Testing
import YiCore

/// Filter decisions, evaluation sets and the test data of several targets come from
/// `SplitMix64`; its sequence must not drift.
@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // Reference outputs of SplitMix64 for seed 0 (Vigna's splitmix64.c).
        var random = SplitMix64(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(random.next() == 0x06C4_5D18_8009_454F)
    }
}
