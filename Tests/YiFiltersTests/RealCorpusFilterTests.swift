import Testing
import YiCore
@testable import YiFilters

/// The filters on the shared real corpus (English and Chinese): books and news pass, source
/// code and short fortunes fail, spam made from real sentences fails with the expected reason.
@Suite struct RealCorpusFilterTests {
    func gopher(_ documents: [RealDocument]) -> [String: Int] {
        var filter = GopherFilter()
        var outcomes: [String: Int] = [:]
        for d in documents { outcomes[reason(filter.verdict(for: d.document)) ?? "keep", default: 0] += 1 }
        return outcomes
    }

    @Test func booksPassGopherInBothLanguages() {
        let english = RealCorpus.select(kind: "book", source: "gutenberg-en")
        let chinese = RealCorpus.select(kind: "book", source: "gutenberg-zh")
        #expect(english.count == 1 && chinese.count == 5)
        #expect(gopher(english) == ["keep": english.count])
        #expect(gopher(chinese) == ["keep": chinese.count])
        #expect(gopher(RealCorpus.select(source: "wikipedia-zh")) == ["keep": 8])
    }

    @Test func newsMostlyPasses() {
        let news = RealCorpus.select(source: "news-lee")
        #expect(news.count == 50)
        #expect(gopher(news)["keep", default: 0] >= 45)
    }

    @Test func sourceCodeFails() {
        let code = RealCorpus.select(lang: "code")
        #expect(code.count == 29)
        let outcomes = gopher(code)
        #expect(outcomes["keep"] == nil)
        #expect(outcomes[GopherReason.alphabeticWords, default: 0] >= 20)
    }

    @Test func shortFortunesFailOnWordCount() {
        let fortunes = RealCorpus.select(source: "fortunes-zh")
        var filter = GopherFilter()
        var analyzer = TextAnalyzer()
        var dropped = 0
        for fortune in fortunes {
            let verdict = filter.verdict(for: fortune.document)
            if reason(verdict) != nil { dropped += 1 }
            if analyzer.analyze(fortune.document.text).words < 100 {
                #expect(reason(verdict) == GopherReason.tooFewWords, "\(fortune.document.id)")
            }
        }
        #expect(dropped * 10 >= fortunes.count * 8)
    }

    @Test func spamMadeFromRealSentencesFails() {
        let sentences = RealCorpus.select(source: "news-lee").flatMap {
            $0.document.text.split(separator: ". ").map { String($0) }
        }.filter { $0.count > 40 }
        #expect(sentences.count > 100)
        var filter = GopherFilter()
        func verdict(_ text: String) -> String? { reason(filter.verdict(for: document(text))) }

        let clean = sentences.prefix(60).joined(separator: ".\n")
        #expect(verdict(clean) == nil)
        let bullets = sentences.prefix(60).map { "• " + $0 }.joined(separator: "\n")
        #expect(verdict(bullets) == GopherReason.bulletLines)
        let teasers = sentences.prefix(60).map { $0.split(separator: " ").prefix(9).joined(separator: " ") + "..." }
        #expect(verdict(teasers.joined(separator: "\n")) == GopherReason.ellipsisLines)
        let repeated = (sentences.prefix(20) + Array(repeating: "Click here to subscribe to our newsletter", count: 12))
        #expect(verdict(repeated.joined(separator: "\n")) == GopherReason.duplicateLines)
        let boilerplate = sentences.prefix(30).map { $0 + ". Share this article on Facebook and Twitter" }
        #expect(verdict(boilerplate.joined(separator: " ")).map { $0.hasPrefix("gopher.top-") || $0.hasPrefix("gopher.dup-") } == true)

        // The same in Chinese, from a real book.
        let book = RealCorpus.select(source: "gutenberg-zh").max { $0.document.text.count < $1.document.text.count }!
        let clauses = book.document.text.split(whereSeparator: { "。！？".contains($0) }).map(String.init)
            .filter { $0.count > 12 }
        let chineseTeasers = clauses.prefix(60).map { String($0.prefix(20)) + "……" }.joined(separator: "\n")
        #expect(verdict(chineseTeasers) == GopherReason.ellipsisLines)
        let chineseRepeated = clauses.prefix(20) + Array(repeating: "点击这里订阅我们的新闻", count: 12)
        #expect(verdict(chineseRepeated.joined(separator: "\n")) == GopherReason.duplicateLines)
    }

    @Test func scriptsOfRealDocuments() {
        for d in RealCorpus.select(lang: "en") + RealCorpus.select(lang: "vi") {
            #expect(ScriptProfile(text: d.document.text).dominantScript == .latin, "\(d.document.id)")
        }
        let chineseProse = RealCorpus.select(source: "gutenberg-zh") + RealCorpus.select(source: "fortunes-zh")
            .filter { $0.document.id.contains("song100") }
        #expect(chineseProse.count > 50)
        var latinOnly = ScriptFilter(allowed: [.latin], minRatio: 0.9)
        var chineseOrEnglish = ScriptFilter(allowed: [.han, .latin], minRatio: 0.9)
        for d in chineseProse {
            #expect(ScriptProfile(text: d.document.text).dominantScript == .han, "\(d.document.id)")
            #expect(reason(latinOnly.verdict(for: d.document)) == ScriptFilter.ratioTooLow)
            #expect(chineseOrEnglish.verdict(for: d.document) == .keep)
        }
        let alice = RealCorpus.select(source: "gutenberg-en")[0].document
        #expect(latinOnly.verdict(for: alice) == .keep)
        #expect(ScriptProfile(text: alice.text).ratio(.latin) > 0.99)
    }
}
