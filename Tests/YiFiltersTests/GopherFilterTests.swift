import Testing
import YiCore
@testable import YiFilters

func document(_ text: String, id: String = "doc", source: String = "test") -> Document {
    Document(id: id, source: source, text: text, location: SourceLocation(path: "memory"))
}

func reason(_ verdict: FilterVerdict) -> String? {
    if case .drop(let reason) = verdict { return reason }
    return nil
}

@Suite struct GopherQualityTests {
    func quality(_ text: String, _ options: GopherQualityOptions = GopherQualityOptions()) -> String? {
        var filter = GopherQualityFilter(options: options)
        return reason(filter.verdict(for: document(text)))
    }

    @Test func cleanProsePasses() {
        #expect(quality(TextSamples.english(words: 400)) == nil)
        #expect(quality(TextSamples.chinese(characters: 600)) == nil)
    }

    @Test func eachRuleDropsWithItsReason() {
        let prose = TextSamples.english(words: 300)
        #expect(quality("The cat sat with the dog on the mat.") == GopherReason.tooFewWords)
        var capped = GopherQualityOptions()
        capped.spaced.maxWords = 200
        #expect(quality(prose, capped) == GopherReason.tooManyWords)
        #expect(quality(GopherQualityOptions().spaced.maxWords == nil ? "" : "x") == GopherReason.tooFewWords)

        let shortWords = (0..<120).map { ["a", "b", "of", "to", "the", "it", "is", "go"][$0 % 8] }.joined(separator: " ")
        #expect(quality(shortWords) == GopherReason.meanWordLength)
        let longWords = (0..<120).map { $0 % 10 == 0 ? "the" : "extraordinarily\($0 % 7)unbelievable" }.joined(separator: " ")
        #expect(quality(longWords) == GopherReason.meanWordLength)

        let hashtags = prose.split(separator: " ").enumerated()
            .map { $0.offset % 4 == 0 ? "#\($0.element)" : String($0.element) }.joined(separator: " ")
        #expect(quality(hashtags) == GopherReason.hashRatio)
        let trailing = prose.split(separator: " ").enumerated()
            .map { $0.offset % 5 == 4 ? "\($0.element)..." : String($0.element) }.joined(separator: " ")
        #expect(quality(trailing) == GopherReason.ellipsisRatio)

        let lines = prose.split(separator: "\n")
        #expect(quality(lines.map { "• " + $0 }.joined(separator: "\n")) == GopherReason.bulletLines)
        #expect(quality(lines.map { $0.dropLast() + "..." }.joined(separator: "\n")) == GopherReason.ellipsisLines)

        let numbers = prose.split(separator: " ").enumerated()
            .map { $0.offset % 3 == 0 ? "\($0.element) \(1000 + $0.offset)" : String($0.element) }
            .joined(separator: " ")
        #expect(quality(numbers) == GopherReason.alphabeticWords)
        #expect(quality(TextSamples.english(words: 300, stopWords: false)) == GopherReason.stopWords)
    }

    @Test func chineseUsesItsOwnThresholds() {
        // Mean word length ~1 would fail Gopher's 3..10 range; the unspaced family skips it.
        let text = TextSamples.chinese(characters: 300)
        #expect(quality(text) == nil)
        var gopherForAll = GopherQualityOptions()
        gopherForAll.unspaced = .gopherPaper
        #expect(quality(text, gopherForAll) == GopherReason.meanWordLength)
        #expect(quality("床前明月光，疑是地上霜。举头望明月，低头思故乡。") == GopherReason.tooFewWords)
        // No function character at all: not running text.
        let noStop = String(repeating: "春江潮水连海平，明月共潮生。滟滟随波千万里，何处春江无月明。", count: 8)
        #expect(quality(noStop) == GopherReason.stopWords)
        // Chinese spam: every line ends with an ellipsis.
        let teaser = (0..<20).map { _ in TextSamples.chinese(characters: 12, seed: 3).dropLast() + "……" }
        #expect(quality(teaser.joined(separator: "\n")) == GopherReason.ellipsisLines)
    }
}

@Suite struct GopherRepetitionTests {
    func repetition(_ text: String) -> String? {
        var filter = GopherRepetitionFilter()
        return reason(filter.verdict(for: document(text)))
    }

    @Test func cleanProsePasses() {
        #expect(repetition(TextSamples.english(words: 2000)) == nil)
        #expect(repetition(TextSamples.chinese(characters: 3000)) == nil)
    }

    @Test func duplicateParagraphs() {
        let p = (0..<4).map { TextSamples.english(words: 40, seed: UInt64($0), lineBreaks: false) }
        #expect(repetition([p[0], p[1], p[2], p[3], p[0], p[1]].joined(separator: "\n\n")) == GopherReason.duplicateParagraphs)
        let long = TextSamples.english(words: 200, seed: 9, lineBreaks: false)
        let short = (10..<16).map { TextSamples.english(words: 12, seed: UInt64($0), lineBreaks: false) }
        #expect(repetition(([long] + short + [long]).joined(separator: "\r\n\r\n")) == GopherReason.duplicateParagraphCharacters)
    }

    @Test func duplicateLines() {
        let unique = (0..<10).map { TextSamples.english(words: 10, seed: UInt64($0), lineBreaks: false) }
        let spam = unique + Array(repeating: "Buy now!", count: 6)
        #expect(repetition(spam.joined(separator: "\n")) == GopherReason.duplicateLines)
        let long = TextSamples.english(words: 120, seed: 99, lineBreaks: false)
        #expect(repetition(([long] + unique + [long]).joined(separator: "\n")) == GopherReason.duplicateLineCharacters)
    }

    @Test func topNGrams() {
        let words = TextSamples.english(words: 600, lineBreaks: false).split(separator: " ")
        let newYork = words.enumerated().map { $0.offset % 3 == 2 ? "\($0.element) New York" : String($0.element) }
        #expect(repetition(newYork.joined(separator: " ")) == GopherReason.topNGram(2))
        let phrase = words.enumerated().map { $0.offset % 5 == 4 ? "\($0.element) in the long run" : String($0.element) }
        #expect(repetition(phrase.joined(separator: " ")) == GopherReason.topNGram(3))
    }

    @Test func duplicatedNGrams() {
        let passage = TextSamples.english(words: 80, seed: 5, lineBreaks: false)
        let other = TextSamples.english(words: 150, seed: 6, lineBreaks: false)
        // One line: no duplicate lines, and no single n-gram dominates.
        #expect(repetition(passage + " " + other + " " + passage) == GopherReason.duplicateNGram(5))
        // Chinese: a passage copied inside one line.
        let zh = TextSamples.chinese(characters: 200, seed: 8).replacingOccurrences(of: "\n", with: "")
        let zhOther = TextSamples.chinese(characters: 400, seed: 9).replacingOccurrences(of: "\n", with: "")
        #expect(repetition(zh + zhOther + zh) == GopherReason.duplicateNGram(10))
    }

    @Test func loneNGramIsNoRepetition() {
        // datatrove counts a top n-gram seen once; we do not (a short text is not repetitive).
        #expect(repetition("Short and sweet.") == nil)
        #expect(repetition("床前明月光，疑是地上霜。") == nil)
    }
}
