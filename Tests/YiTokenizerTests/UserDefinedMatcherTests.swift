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
}
