import Testing
import YiCore
@testable import YiFilters

@Suite struct TextAnalyzerTests {
    func analyze(_ text: String) -> TextAnalysis {
        var analyzer = TextAnalyzer()
        return analyzer.analyze(text)
    }

    @Test func englishWordsAndSymbols() {
        var analyzer = TextAnalyzer()
        let a = analyzer.analyze("Don't stop... well-known 3.14, #tag!")
        // Don't | stop | ... | well-known | 3.14 | , | # | tag | !
        #expect(a.tokens == 9)
        #expect(a.words == 5)
        #expect(analyzer.tokenCharacters == [5, 4, 3, 10, 4, 1, 1, 3, 1])
        #expect(a.alphabeticTokens == 4)          // 3.14 has no letter
        #expect(a.hashSigns == 1)
        #expect(a.ellipses == 1)
        #expect(a.characters == 36)
        #expect(analyzer.tokenHashes[0] == TokenHash.hash("Don't"))
        #expect(analyzer.tokenHashes[2] == TokenHash.hash("..."))
    }

    @Test func chineseCharactersAreWords() {
        var analyzer = TextAnalyzer()
        let a = analyzer.analyze("我们在北京，用Swift写代码。")
        // 我 们 在 北 京 ， 用 Swift 写 代 码 。
        #expect(a.tokens == 12)
        #expect(a.words == 10)
        #expect(a.unspacedWords == 9)
        #expect(analyzer.tokenCharacters == [1, 1, 1, 1, 1, 1, 1, 5, 1, 1, 1, 1])
        #expect(analyzer.tokenHashes[7] == TokenHash.hash("Swift"))
        let profile = ScriptProfile(a)
        #expect(profile.count(.han) == 9)
        #expect(profile.count(.latin) == 5)
        #expect(profile.dominantScript == .han)
    }

    @Test func kanaHangulAndCyrillic() {
        let japanese = ScriptProfile(text: "これはテストです")
        #expect(japanese.dominantScript == .kana)
        #expect(japanese.ratio(.kana) == 1)
        var analyzer = TextAnalyzer()
        let korean = analyzer.analyze("한국어 문장입니다")
        #expect(korean.words == 2)                 // Hangul is spaced: two words
        #expect(korean.unspacedWords == 0)
        #expect(ScriptProfile(korean).dominantScript == .hangul)
        #expect(ScriptProfile(text: "Привет, мир").dominantScript == .cyrillic)
        #expect(ScriptProfile(text: "مرحبا بالعالم").dominantScript == .arabic)
        #expect(ScriptProfile(text: "नमस्ते दुनिया").dominantScript == .devanagari)
        #expect(ScriptProfile(text: "1234 !!! ...").dominantScript == nil)
    }

    @Test func linesLikePythonSplitlines() {
        var analyzer = TextAnalyzer()
        // splitlines: ["- a", "", "b...", "- c"] ; "\r\n" is one break, no trailing empty line.
        let a = analyzer.analyze("- a\r\n\r\nb...\n- c\n")
        #expect(a.lines == 4)
        #expect(a.bulletLines == 2)
        #expect(a.ellipsisLines == 1)
        #expect(a.nonBlankLines == 3)
        #expect(a.paragraphs == 2)
        #expect(analyze("").lines == 0)
        #expect(analyze("\n").lines == 1)
        #expect(analyze("a\u{2028}b").lines == 2)
        // Trailing spaces do not hide an ellipsis; a space inside the dots does.
        #expect(analyze("wait…  \nnope. . .").ellipsisLines == 1)
    }

    @Test func duplicateLinesAndParagraphs() {
        var analyzer = TextAnalyzer()
        let text = "alpha line\nbeta\n\nalpha line\nbeta\n\n  \nalpha line\nfresh"
        let a = analyzer.analyze(text)
        #expect(a.nonBlankLines == 6)
        #expect(a.duplicateLines == 3)             // alpha line ×2, beta ×1
        #expect(a.duplicateLineCharacters == 10 + 4 + 10)
        #expect(a.paragraphs == 3)                 // the whitespace-only line separates too
        #expect(a.duplicateParagraphs == 1)
        #expect(a.duplicateParagraphCharacters == "alpha line\nbeta".unicodeScalars.count)
    }

    @Test func manyLinesGrowTheTables() {
        // 5,000 distinct lines, then 1,000 repeats of every fifth one: the line table grows
        // many times while it is counting.
        let distinct = (0..<5000).map { "line number \($0)" }
        let repeats = stride(from: 0, to: 5000, by: 5).map { "line number \($0)" }
        let a = analyze((distinct + repeats).joined(separator: "\n"))
        #expect(a.nonBlankLines == 6000)
        #expect(a.duplicateLines == 1000)
        #expect(a.duplicateLineCharacters == repeats.reduce(0) { $0 + $1.count })
        #expect(a.paragraphs == 1)
    }

    @Test func ellipsesCountLikeStrCount() {
        var analyzer = TextAnalyzer()
        #expect(analyze("a.....b......c…").ellipses == 1 + 2 + 1)
        #expect(analyze("他说……好吧…….…").ellipses == 1 + 1 + 1)
    }
}

@Suite struct ScriptNameTests {
    @Test func namesRoundTrip() {
        for script in Script.allCases {
            #expect(Script(name: script.name) == script)
        }
        #expect(Script.han.name == "han")
        #expect(Script.other.name == "other")
        #expect(Script(name: "klingon") == nil)
    }
}

/// Random Unicode (all planes, controls, line separators, format characters): every filter runs
/// and the analysis stays consistent with Swift's own view of the text.
@Suite struct RandomTextTests {
    static func randomText(_ rng: inout SplitMix64, length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        let pools: [ClosedRange<UInt32>] = [0x00...0x7F, 0x80...0x7FF, 0x800...0xFFFF, 0x10000...0x10FFFF,
                                            0x4E00...0x9FFF, 0x2000...0x206F, 0x09...0x0D]
        while scalars.count < length {
            let pool = pools[Int(rng.next() % UInt64(pools.count))]
            let value = pool.lowerBound + UInt32(rng.next() % UInt64(pool.count))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    @Test func filtersRunOnRandomUnicode() {
        var rng = SplitMix64(seed: 99)
        var analyzer = TextAnalyzer()
        var gopher = GopherFilter()
        var script = ScriptFilter(allowed: [.latin])
        let exact = ExactDeduplicator(), near = NearDeduplicator(options: MinHashOptions(unit: .character))
        for trial in 0..<300 {
            let text = Self.randomText(&rng, length: Int(rng.next() % 400))
            let a = analyzer.analyze(text)
            #expect(a.characters == text.unicodeScalars.count, "trial \(trial)")
            #expect(a.words <= a.tokens && a.alphabeticTokens <= a.tokens && a.unspacedWords <= a.words)
            #expect(a.tokens == analyzer.tokens.count)
            #expect(a.nonBlankLines <= a.lines && a.duplicateLines < max(1, a.nonBlankLines))
            #expect(a.bulletLines <= a.lines && a.ellipsisLines <= a.lines)
            #expect(a.duplicateLineCharacters <= a.characters && a.duplicateParagraphCharacters <= a.characters)
            #expect(analyzer.tokens.reduce(0) { $0 + Int($1.characters) } <= a.characters)
            _ = gopher.verdict(for: document(text))
            _ = script.verdict(for: document(text))
            #expect(!exact.decide(text + "\u{0}\(trial)").isDuplicate)
            _ = near.decide(text)
        }
    }
}
