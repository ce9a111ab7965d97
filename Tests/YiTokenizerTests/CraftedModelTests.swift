import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

/// Tiny synthetic models (tools/golden/craft_models.py) with the flags the real models lack,
/// against SentencePiece's ids for them.
@Suite struct CraftedModelTests {
    static let names = ["unused", "suffix", "noescape", "userdefined"]

    static func model(_ name: String) throws -> SentencePieceModel {
        try SentencePieceModel(contentsOf: Fixtures.repoPath("Tests/YiTokenizerTests/Golden/crafted/\(name).model"))
    }

    @Test(arguments: names)
    func craftedModelsMatchSentencePiece(_ name: String) throws {
        let model = try Self.model(name)
        let cases: [GoldenTests.TextCase] = try GoldenTests.golden("crafted/\(name).golden.jsonl")
        #expect(cases.count > 50)
        let encoders = [
            SentencePieceEncoder(model: model),
            SentencePieceEncoder(model: model, cacheSegments: false),
            SentencePieceEncoder(model: model, cacheSegments: false, mergeWholeTexts: true),
        ]
        for encoder in encoders {
            for golden in cases {
                #expect(encoder.encode(golden.text) == golden.ids, "\(name): \(golden.text.debugDescription)")
                #expect(encoder.decode(golden.ids) == golden.decoded, "\(name) decode: \(golden.text.debugDescription)")
            }
        }
    }

    @Test func flagsDecideTheEncodingStrategy() throws {
        #expect(try Self.model("unused").segmentation == .wholeText)
        #expect(try Self.model("unused").flags.unusedPieces == 4)
        #expect(try Self.model("suffix").segmentation == .afterSpaceRuns)
        #expect(try Self.model("suffix").flags.treatWhitespaceAsSuffix)
        let noEscape = try Self.model("noescape")
        #expect(noEscape.segmentation == .beforeSpaceRuns)
        #expect(!noEscape.flags.escapeWhitespaces && noEscape.flags.removeExtraWhitespaces)
        #expect(!noEscape.normalizer.isCopyWithEscapes)
        #expect(try Self.model("userdefined").flags.userDefinedPieces == 7)
    }
}
