import Testing
import YiTestSupport
@testable import YiTokenizer

/// The encoder emits a one-character user-defined piece that starts no longer one without
/// asking the trie (`standsAlone`): for every such piece of the Yi model the trie must give the
/// same answer, whatever follows, and pieces with longer relatives must not be in the set.
@Suite struct UserDefinedMatcherTests {
    @Test func piecesThatStandAloneAreTheTriesLongestMatch() throws {
        let model = try SentencePieceModel(contentsOf: Fixtures.yiModel)
        let matcher = model.userDefined
        var alone = 0
        for id in 0..<Int32(model.vocabularySize) where model.type(of: id) == .userDefined && matcher.standsAlone.contains(id) {
            alone += 1
            let piece = Array(model.pieceBytes[Int(id)])
            #expect(matcher.standsAloneLead.contains(Int32(piece[0])))
            for next in [[], Array("a".utf8), Array("，".utf8), piece, Array("\t".utf8)] {
                let text = piece + next
                let match = text.withUnsafeBufferPointer { matcher.match($0.baseAddress!, $0.count) }
                #expect(match?.length == piece.count && match?.id == id, "piece \(id) followed by \(next)")
            }
        }
        #expect(alone >= 30)   // digits (ASCII and full-width), , . ! ? and CJK punctuation, \n
        for text in ["，", "。", "0", "9", ",", "\n"] {
            let id = model.symbols.lookup(Array(text.utf8))
            #expect(matcher.standsAlone.contains(id), "\(text.debugDescription)")
        }
        for text in ["\t"] {   // "\t\t" is a user-defined piece too
            let id = model.symbols.lookup(Array(text.utf8))
            #expect(model.type(of: id) == .userDefined && !matcher.standsAlone.contains(id))
        }
    }

    /// The encoder passes a space symbol without the trie when the byte after it is not in
    /// `bytesContinuing(spaceSymbol)`: that set must hold every byte after which the trie could
    /// still match, and nil must come back when a piece is the prefix itself or a part of it.
    @Test func bytesContinuingThePrefixAreWhereTheTrieCouldStillMatch() throws {
        let yi = try SentencePieceModel(contentsOf: Fixtures.yiModel)
        let space = Array("\u{2581}".utf8)
        #expect(yi.userDefined.bytesContinuing(space) == [0xE2])   // only the ▁▁... pieces
        let crafted = try SentencePieceModel(contentsOf: Fixtures.repoPath("Tests/YiTokenizerTests/Golden/crafted/userdefined.model"))
        #expect(Set(crafted.userDefined.bytesContinuing(space) ?? []) == [0xE2, UInt8(ascii: "z")])
        for next in 0...255 {
            let text = space + [UInt8(next)] + Array("q▁x".utf8)
            let match = text.withUnsafeBufferPointer { crafted.userDefined.match($0.baseAddress!, $0.count) }
            if match != nil { #expect(next == 0xE2 || next == Int(UInt8(ascii: "z")), "byte \(next)") }
        }
        // A piece that is the prefix, or a part of it: no byte after it can rule out a match.
        let storage = TableStorage()
        let pieces: [[UInt8]] = [space, [0xE2], Array("ab".utf8)]
        for (n, piece) in pieces.enumerated() {
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: piece.count)
            defer { buffer.deallocate() }
            _ = buffer.initialize(from: piece)
            let matcher = UserDefinedMatcher(storage: storage, pieces: [(UnsafeBufferPointer(buffer), Int32(n))], symbolCount: 8)
            #expect((matcher.bytesContinuing(space) == nil) == (n < 2), "piece \(piece)")
            if n == 2 { #expect(matcher.bytesContinuing(space) == []) }
        }
    }
}
