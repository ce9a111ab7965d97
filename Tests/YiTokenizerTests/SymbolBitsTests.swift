import Testing
@testable import YiTokenizer

/// `SymbolBits` replaces a 4-byte-per-symbol table in the encoder's emit path: it must answer
/// as the predicate it was built from, across word boundaries and at both ends.
@Suite struct SymbolBitsTests {
    @Test func containsAgreesWithThePredicate() {
        let storage = TableStorage()
        for count in [1, 63, 64, 65, 130] {
            let predicate: (Int) -> Bool = { ($0 * 7 + count) % 5 < 2 || $0 == count - 1 }
            let bits = SymbolBits(storage: storage, count: count, contains: predicate)
            for symbol in 0..<count {
                #expect(bits.contains(Int32(symbol)) == predicate(symbol), "count \(count), symbol \(symbol)")
            }
        }
    }

    @Test func membersListGivesTheSameSet() {
        let storage = TableStorage()
        let members: [Int32] = [0, 5, 63, 64, 129]
        let bits = SymbolBits(storage: storage, count: 130, members: members)
        for symbol in 0..<130 { #expect(bits.contains(Int32(symbol)) == members.contains(Int32(symbol))) }
    }
}

