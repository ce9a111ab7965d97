import Testing
import YiCore
@testable import YiFilters

@Suite struct LengthFilterTests {
    @Test func characterBoundsAreInclusiveScalars() {
        var filter = CharacterLengthFilter(minCharacters: 3, maxCharacters: 5)
        #expect(reason(filter.verdict(for: document("ab"))) == CharacterLengthFilter.tooShort)
        #expect(filter.verdict(for: document("abc")) == .keep)
        #expect(filter.verdict(for: document("中文字")) == .keep)          // 3 scalars, 9 bytes
        #expect(filter.verdict(for: document("中文字符号")) == .keep)
        #expect(reason(filter.verdict(for: document("中文字符号!"))) == CharacterLengthFilter.tooLong)
        #expect(CharacterLengthFilter.scalarCount("e\u{301}🙂") == 3)
        var open = CharacterLengthFilter()
        #expect(open.verdict(for: document("")) == .keep)
    }

    @Test func tokenBounds() {
        let filter = TokenLengthFilter(minTokens: 10, maxTokens: 100)
        #expect(filter.verdict(tokenCount: 9) == .drop(reason: TokenLengthFilter.tooShort))
        #expect(filter.verdict(tokenCount: 10) == .keep)
        #expect(filter.verdict(tokenCount: 100) == .keep)
        #expect(filter.verdict(tokenCount: 101) == .drop(reason: TokenLengthFilter.tooLong))
        var tokenized = filter
        let doc = TokenizedDocument(ordinal: 0, source: "s", tokens: [TokenID](repeating: 5, count: 50), textBytes: 200)
        #expect(tokenized.verdict(for: doc) == .keep)
    }
}

@Suite struct ScriptFilterTests {
    @Test func fastProfileEqualsAnalyzerProfile() {
        var analyzer = TextAnalyzer()
        for d in RealCorpus.documents {
            #expect(ScriptProfile(text: d.document.text) == ScriptProfile(analyzer.analyze(d.document.text, keepTokens: false)))
        }
    }

    @Test func ratiosAndThreshold() {
        let profile = ScriptProfile(text: "中文 and English 混合")   // 4 Han, 10 Latin letters
        #expect(profile.count(.han) == 4)
        #expect(profile.count(.latin) == 10)
        #expect(abs(profile.ratio(.han) - 4.0 / 14.0) < 1e-12)
        #expect(profile.ratios.map(\.0) == [.latin, .han])
        #expect(ScriptFilter(allowed: [.han], minRatio: 0.25).verdict(for: profile) == .keep)
        #expect(ScriptFilter(allowed: [.han], minRatio: 0.3).verdict(for: profile) == .drop(reason: ScriptFilter.ratioTooLow))
        let digits = ScriptProfile(text: "1234 5678 !!")
        #expect(ScriptFilter(allowed: [.latin]).verdict(for: digits) == .drop(reason: ScriptFilter.noLetters))
        #expect(ScriptFilter(allowed: [.latin], keepWithoutLetters: true).verdict(for: digits) == .keep)
    }
}
