import Testing
import YiCore
@testable import YiFilters

@Suite struct HashingTests {
    /// Reference values from the `xxhash` Python package (`xxh64_intdigest`).
    @Test func xxHash64MatchesReference() {
        #expect(XXHash64.hash("") == 0xEF46_DB37_51D8_E999)
        #expect(XXHash64.hash("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(XXHash64.hash("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
        let bytes = (0..<100).map { UInt8($0) }
        #expect(XXHash64.hash(bytes) == 0x6AC1_E580_3216_6597)
        #expect(XXHash64.hash(bytes, seed: 12345) == 0x028B_A1AE_2DE4_DE27)
        #expect(XXHash64.hash("中文字符测试", seed: 7) == 0xA5A8_D6C3_31D3_0051)
    }

    @Test func tokenHashSeparatesShortTokens() {
        // Every string of 0–4 characters over a small alphabet (including a 3-byte one), plus
        // longer ones: no two distinct strings share a hash.
        let alphabet = ["a", "b", ".", "中"]
        var strings = [""]
        var frontier = [""]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in alphabet.map { prefix + $0 } }
            strings += frontier
        }
        strings += ["abcdefgh", "abcdefghi", "abcdefgh ", "internationalization"]
        let hashes = strings.map { TokenHash.hash($0) }
        #expect(Set(hashes).count == strings.count)
        #expect(TokenHash.hash("internationalization") == XXHash64.hash("internationalization"))
    }

    @Test func splitMixIsSeededAndUniform() {
        var a = SplitMix64(seed: 42)
        var b = SplitMix64(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        var c = SplitMix64(seed: 43)
        #expect(first[0] != c.next())
        // Mean of 100k unit doubles is 0.5 ± 0.003 (5 sigma).
        var sum = 0.0
        for _ in 0..<100_000 { sum += SplitMix64.unitInterval(a.next()) }
        #expect(abs(sum / 100_000 - 0.5) < 0.005)
    }

    @Test func scratchTableCountsAndResets() {
        var table = ScratchHashTable()
        table.reset()
        for i in 0..<10_000 { _ = table.increment(UInt64(i % 1000) &* 0x9E37_79B9, index: UInt32(i)) }
        let (count, first, _) = table.increment(UInt64(7) &* 0x9E37_79B9, index: 99_999)
        #expect(count == 11)
        #expect(first == 7)
        table.reset()
        #expect(!table.contains(UInt64(7) &* 0x9E37_79B9))
        let insertedFirst = table.insert(5)
        let insertedAgain = table.insert(5)
        #expect(insertedFirst)
        #expect(!insertedAgain)
    }
}
