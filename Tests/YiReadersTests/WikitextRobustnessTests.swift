import Foundation
import Testing
import YiCore
import YiReaders

/// Unbalanced markup follows the rule documented on `WikitextScanner`; random and adversarial
/// input never crashes and is cleaned in linear time.
@Suite struct WikitextRobustnessTests {
    let cleaner = WikitextCleaner()

    @Test(arguments: [
        // An unclosed `{{` drops its opener and keeps its content: the page is not eaten.
        ("Intro {{cite web|title=X\n\nMore text.", "Intro cite web|title=X\n\nMore text."),
        ("a }} b ]] c", "a b c"),
        // `[[` ends at a line break before its `|`, or at a blank line after it.
        ("see [[Foo\nnext", "see Foo\nnext"),
        ("see [[a|label\n\nnext", "see label\n\nnext"),
        ("[[File:x.jpg|thumb|caption\n\nnext", "next"),
        // `[url` ends at a line break.
        ("[http://x.org label\nnext", "label\nnext"),
        // An unclosed comment or extension tag drops only its opening tag.
        ("a <!-- b\nc", "a b\nc"),
        ("a<ref>b c", "ab c"),
        ("a<ref>b<ref>c</ref>d", "ad"),
        // `}}` closes its template through links opened inside it; `]]` does not close
        // through a template.
        ("{{cite|title=[[foo}} text", "text"),
        ("[[a {{b]] c}} d]]", "a d"),
        // Unclosed tables end with their context and are removed.
        ("text\n{|\n| cell", "text"),
        ("{{box|\n{|\n| cell\n}}\nafter", "after"),
        ("-{ unclosed conversion", "unclosed conversion"),
    ])
    func unbalancedMarkup(_ input: String, _ expected: String) {
        #expect(cleaner.plainText(from: input) == expected)
    }

    @Test func deepNestingIsCapped() {
        let depth = 5_000
        let templates = String(repeating: "{{a|", count: depth) + "x" + String(repeating: "}}", count: depth) + "end"
        #expect(cleaner.plainText(from: templates) == "end")
        #expect(cleaner.plainText(from: String(repeating: "{", count: 2 * depth) + "x" + String(repeating: "}", count: 2 * depth)) == "")
        let alternating = String(repeating: "{{a[[b", count: depth) + "tail"
        let text = cleaner.plainText(from: alternating)
        #expect(text.hasSuffix("tail") && !text.contains("{{") && !text.contains("[["))
        // Openers past the depth cap are dropped and their content kept.
        let links = cleaner.plainText(from: String(repeating: "[[a|", count: depth) + "x" + String(repeating: "]]", count: depth))
        #expect(links.hasSuffix("a|x") && !links.contains("[[") && !links.contains("]]"))
    }

    static let markupPieces = [
        "{{", "}}", "{{{", "}}}", "[[", "]]", "[", "]", "{|", "|}", "|", "||", "!", "\n", "\n\n", " ", "=", "==",
        "'''", "''", "'", "<ref>", "</ref>", "<ref name=x/>", "<!--", "-->", "<nowiki>", "</nowiki>", "<br>",
        "<b>", "</b>", "<math>", "</math>", "<pre>", "</pre>", "<", ">", "&", "&amp;", "&#x41;", "&#", ";", "*", "#", ":",
        "-{", "}-", "-", "__TOC__", "__", "_", "http://x.org", "[http://x.org ", "File:", "Category:", "en:",
        "text", "中文", "Tiếng", "(", ")", "（", "）", "\t", "\r",
    ]

    @Test func randomMarkupNeverBreaks() {
        var random = SplitMix64(seed: 0x5EED_1234)
        for _ in 0..<3_000 {
            let count = Int(random.next() % 60)
            let input = (0..<count).map { _ in Self.markupPieces[Int(random.next() % UInt64(Self.markupPieces.count))] }.joined()
            let text = cleaner.plainText(from: input)
            #expect(text.utf8.count <= input.utf8.count, "grew: \(String(reflecting: input))")
            #expect(text == cleaner.plainText(from: input), "not deterministic: \(String(reflecting: input))")
            #expect(!text.contains("\n\n\n"), "blank lines: \(String(reflecting: input))")
        }
    }

    @Test func randomBytesNeverBreak() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("{}[]|<>!=-_'&#;:*\n /refmathnowikiabc".utf8) + [0xE4, 0xB8, 0xAD, 0xFF, 0x80, 0x00]
        for _ in 0..<2_000 {
            let bytes = (0..<Int(random.next() % 80)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let input = String(decoding: bytes, as: UTF8.self)
            let text = cleaner.plainText(from: input)
            #expect(text.utf8.count <= input.utf8.count)
        }
    }

    /// Inputs that make a naive cleaner quadratic (every opener searching to the end of the page
    /// for its closer). One megabyte each: linear work takes well under a second even in a
    /// debug build; quadratic work would take hours.
    @Test(arguments: [
        "<ref>", "<!--", "{{a|", "[[a|", "[[a", "[http://x.org ", "-{", "<nowiki>", "{|\n", "== a\n", "'''''", "&#x",
        "__TOC", "<ref name=", "{{{", "a}}", "]]", "<pre>x</pre>", "[[File:x|{{", "<math",
    ])
    func adversarialInputIsLinear(_ unit: String) {
        let input = String(repeating: unit + " x ", count: 1_000_000 / (unit.utf8.count + 3))
        let start = ContinuousClock.now
        let text = cleaner.plainText(from: input)
        let elapsed = ContinuousClock.now - start
        #expect(text.utf8.count <= input.utf8.count)
        #expect(elapsed < .seconds(10), "\(String(reflecting: unit)) took \(elapsed)")
    }
}
