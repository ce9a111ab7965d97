import Testing
import YiReaders

/// The cleaner on every real page of ../shared/corpora (wiki_xml dumps and corpus.jsonl).
@Suite struct WikitextRealPageTests {
    static let cleaner = WikitextCleaner()
    static let outputs: [(page: WikitextTestPage, text: String)] =
        WikitextTestPages.all.map { ($0, cleaner.plainText(from: $0.wikitext)) }

    @Test func thereAreRealPages() {
        #expect(Self.outputs.count >= 60)
        #expect(Self.outputs.filter { $0.page.source.hasPrefix("wiki_xml/") }.count >= 35)
        #expect(Self.outputs.filter { $0.page.source.hasPrefix("jsonl/") }.count >= 25)
    }

    /// No markup survives. (Brackets written as entities, `&#91;&#91;`, are text and may.)
    @Test func noMarkupLeft() {
        for (page, text) in Self.outputs {
            var markers = ["{{", "}}", "'''", "<ref", "</ref", "<!--", "-->", "{|", "__TOC__", "__NOTOC__",
                           "<br", "<div", "</div", "&amp;", "&nbsp;", "&quot;"]
            if !page.wikitext.contains("&#91;") { markers += ["[[", "]]"] }
            for marker in markers {
                #expect(!text.contains(marker), "\(page.key) (\(page.title)) still has \(marker)")
            }
            for line in text.split(separator: "\n") {
                #expect(!line.hasPrefix("|") && !line.hasPrefix("!") && !line.hasPrefix("=="),
                        "\(page.key): table or heading markup left: \(line.prefix(80))")
            }
        }
    }

    @Test func whitespaceIsNormalized() {
        for (page, text) in Self.outputs {
            #expect(!text.contains("\n\n\n"), "\(page.key): more than one blank line in a row")
            #expect(text.first?.isWhitespace != true && text.last?.isWhitespace != true, "\(page.key): untrimmed")
            for line in text.split(separator: "\n") {
                #expect(line.first != " " && line.last != " ", "\(page.key): line not trimmed: \(line.prefix(80))")
            }
        }
    }

    @Test func outputIsNeverLongerThanInput() {
        for (page, text) in Self.outputs {
            #expect(text.utf8.count <= page.wikitext.utf8.count, "\(page.key)")
        }
    }

    @Test func articlesKeepTheirText() {
        for (page, text) in Self.outputs where page.wikitext.utf8.count > 10_000 && page.isArticle && !page.isMostlyTables {
            // Articles lose markup, not prose: at least a fifth of the bytes survive.
            #expect(text.utf8.count * 5 > page.wikitext.utf8.count, "\(page.key) (\(page.title)) shrank to \(text.utf8.count) bytes")
        }
    }

    struct Expectation: Sendable, CustomTestStringConvertible {
        var title: String
        var source: String
        var sentences: [String]
        var headings: [String]
        var testDescription: String { title }
    }

    @Test(arguments: [
        Expectation(title: "Constructive vote of no confidence", source: "wiki_xml/enwiki",
                    sentences: ["The constructive vote of no confidence (in German: konstruktives Misstrauensvotum, in Spanish: moción de censura constructiva) is a variation on the motion of no confidence which allows a parliament to withdraw confidence from a head of government only if there is a positive majority for a prospective successor."],
                    headings: ["Germany", "History of use", "1972 (failed vote)"]),
        Expectation(title: "物理学", source: "wiki_xml/zhwiki",
                    sentences: ["物理學是一種實驗科學，物理學者從觀測與分析大自然的各種基於物質與能量的現象來找出其中的模式。"],
                    headings: ["歷史", "古希臘物理學", "中世紀伊斯蘭世界的物理學"]),
        Expectation(title: "Tiếng Việt", source: "wiki_xml/viwiki",
                    sentences: ["Tiếng Việt, cũng gọi là tiếng Việt Nam hay Việt ngữ là ngôn ngữ của người Việt và là ngôn ngữ chính thức tại Việt Nam."],
                    headings: ["Lịch sử", "Trước thời Pháp thuộc", "Thời Pháp thuộc"]),
        Expectation(title: "Bodmin", source: "wiki_xml/tinywiki",
                    sentences: ["Bodmin is a civil parish and historic town in Cornwall, England, United Kingdom. It is situated south-west of Bodmin Moor."],
                    headings: ["Situation and origin of the name", "History", "Education"]),
        Expectation(title: "Klaksvíkar kommuna", source: "wiki_xml/fowiki",
                    sentences: ["Klaksvíkar kommuna er næststørsta kommuna í Føroyum."],
                    headings: ["Á Borðoynni", "Á Kalsoynni"]),
    ])
    func knownSentencesAndHeadings(_ expected: Expectation) {
        let page = WikitextTestPages.page(titled: expected.title, in: expected.source)
        let text = Self.cleaner.plainText(from: page.wikitext)
        for sentence in expected.sentences {
            #expect(text.contains(sentence), "missing: \(sentence)")
        }
        let lines = Set(text.split(separator: "\n").map(String.init))
        for heading in expected.headings {
            #expect(lines.contains(heading), "heading not on its own line: \(heading)")
        }
    }

    @Test func tablesReferencesFilesAndCategoriesAreGone() {
        let academy = WikitextTestPages.page(titled: "Academy Award for Best Production Design", in: "wiki_xml/enwiki")
        let text = Self.cleaner.plainText(from: academy.wikitext)
        // Table cells, reference titles, category names.
        #expect(!text.contains("Cedric Gibbons"))
        #expect(!text.contains("Music Rules Approved"))
        #expect(!text.contains("Category:"))
        #expect(text.contains("The Academy Award for Best Production Design recognizes achievement for art direction in film."))
        let vietnamese = WikitextTestPages.page(titled: "Tiếng Việt", in: "wiki_xml/viwiki")
        let vietnameseText = Self.cleaner.plainText(from: vietnamese.wikitext)
        #expect(!vietnameseText.contains("Thể loại:"))
        #expect(!vietnameseText.contains("Tập tin:"))
    }
}

private extension WikitextTestPage {
    /// Main-namespace article (not a Wikipedia: or User: page, not a redirect).
    var isArticle: Bool {
        !title.contains(":") && !wikitext.hasPrefix("#")
    }

    /// Mostly table rows (list articles such as award winners): little prose to keep.
    var isMostlyTables: Bool {
        let lines = wikitext.split(separator: "\n")
        let rows = lines.filter { $0.drop(while: { $0 == " " }).first.map { $0 == "|" || $0 == "!" } ?? false }
        return rows.count * 3 > lines.count
    }
}
