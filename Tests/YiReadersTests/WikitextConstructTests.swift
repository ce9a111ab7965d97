import Testing
import YiReaders

/// One construct at a time, with hand-written wikitext and the exact plain text expected.
@Suite struct WikitextConstructTests {
    let cleaner = WikitextCleaner()

    struct Case: CustomTestStringConvertible, Sendable {
        var wikitext: String
        var expected: String
        var testDescription: String { String(reflecting: wikitext) }
        init(_ wikitext: String, _ expected: String) {
            self.wikitext = wikitext
            self.expected = expected
        }
    }

    @Test(arguments: [
        Case("a {{t|x={{u}}}} b", "a b"),
        Case("{{#if: x | y | z}} end", "end"),
        Case("text\n{{Infobox\n| name = X\n| pop = {{formatnum:123}}\n}}\n'''X''' is a town.", "text\nX is a town."),
        Case("{{Infobox\n|a=b\n}}\nFirst paragraph.", "First paragraph."),
        Case("It grew {{citation needed}}. Then (see {{x}}) more.", "It grew. Then (see) more."),
        Case("{{{1|default}}} and {{{2}}}", "default and"),
        Case("{{{{{a}}}}}x", "x"),
        Case("a {{b}}} c", "a } c"),
    ])
    func templates(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("before\n{| class=\"wikitable\"\n|-\n! H1 !! H2\n|-\n| c1 || c2\n|}\nafter", "before\nafter"),
        Case("a\n{|\n|\n{|\n| inner\n|}\n| outer\n|}\nb", "a\nb"),
        Case("a\n:{|\n| indented\n|}\nb", "a\nb"),
        Case("{{box|\n{|\n| x\n|}\n}}\nafter", "after"),
        Case("{{Infobox\n|a = b\n|}}\ntext", "text"),
        Case("a\n  {|\n| x\n  |}\nb", "a\nb"),
    ])
    func tables(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("[[a|b]] [[c]]s [[d#e|f]]", "b cs f"),
        Case("[[Paris| the capital ]] of France", "the capital of France"),
        Case("see [[:Category:Cities]] and [[:File:Map.png|the map]]", "see Category:Cities and the map"),
        Case("[[File:a.jpg|thumb|200px|A caption with [[link]] and [[x|y]].]] after", "after"),
        Case("[[Image:a.png|left|thumb|cap [http://x.org ext]]] after", "after"),
        Case("[[文件:a.jpg|缩略图|说明]]中文 [[Tập tin:a.jpg|nhỏ|chú]] [[Hình:b.png]] tiếng", "中文 tiếng"),
        Case("Text.\n[[Category:Foo]]\n[[Category:Bar|sort key]]\n[[分类:X]]\n[[Thể loại:Y]]", "Text."),
        Case("Text.\n\n[[en:Foo]]\n[[fr:Bar]]\n[[zh-yue:Baz]]", "Text."),
        Case("[[wikt:foo|foo]] and [[Wikipedia:Policy|policy]] and [[Star Trek: Voyager]]",
             "foo and policy and Star Trek: Voyager"),
        Case("a [[b|]] c", "a c"),
        Case("[[a|b|c]]", "b|c"),
        Case("[[[x]]]", "[x]"),
        Case("'''[[Academy Award]] for Best Design'''", "Academy Award for Best Design"),
    ])
    func links(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("[http://x.org label here] and [http://y.org] and http://z.org/abc bare", "label here and and http://z.org/abc bare"),
        Case("[https://example.com/a?b=c ''Title'' of page]", "Title of page"),
        Case("[//example.org protocol relative] [mailto:a@b.c mail]", "protocol relative mail"),
        Case("[not a link] and [1]", "[not a link] and [1]"),
        Case("[HTTP://EXAMPLE.COM Upper]", "Upper"),
    ])
    func externalLinks(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("'''bold''' and ''italic'' and '''''both'''''", "bold and italic and both"),
        Case("don't 'quote' ''''four''''", "don't 'quote' 'four'"),
        Case("''''''six''''''", "'six'"),
        // MediaWiki's repair of odd bold and italic counts on a line.
        Case("''[[Animal Farm]]'''s plot", "Animal Farm's plot"),
        Case("de l'''amour'' fou", "de l'amour fou"),
        Case("'''b''' ''i'' '''b''' ''i''", "b i b i"),
    ])
    func boldAndItalic(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("Intro.\n\n== History ==\nText.\n=== Early years===\nMore.", "Intro.\n\nHistory\nText.\nEarly years\nMore."),
        Case("== History<ref>x</ref> {{anchor|h}} ==\nText", "History\nText"),
        Case("=== A ==\nx\n== B ===\ny", "= A\nx\nB =\ny"),
        // Sections left without text lose their heading; sections with subsections keep it.
        Case("Intro.\n\n== History ==\n=== Early ===\nText.\n\n== References ==\n<references/>\n\n== Links ==\n{{Commons}}",
             "Intro.\n\nHistory\nEarly\nText."),
        Case("== A ==\n=== B ===\n== C ==\nc", "C\nc"),
        Case("==Not a heading\n= x", "==Not a heading\n= x"),
        Case("== [[Link|Linked]] heading == <!-- note -->\nText", "Linked heading\nText"),
        Case("== {{empty}} ==\nText", "Text"),
    ])
    func headings(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("* one\n** two\n# three\n#: indent\n: quote", "one\ntwo\nthree\nindent\nquote"),
        Case("; Term : definition text\n; Term2\n: definition2", "Term\ndefinition text\nTerm2\ndefinition2"),
        Case("* * star in text", "* star in text"),
        Case("*\n* {{empty}}\n* real", "real"),
        Case("a\n----\nb", "a\nb"),
    ])
    func listsAndRules(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("__TOC__\ntext __NOTOC____NOEDITSECTION__", "text"),
        Case("__目录__文字", "文字"),
        Case("def __init__(self): a__b ____", "def __init__(self): a__b ____"),
    ])
    func behaviourSwitches(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("&amp; &lt; &gt; &quot; &#931; &#x3a3; &#X3A3; &nbsp;|", "& < > \" Σ Σ Σ \u{00A0}|"),
        Case("&bogus; &amp &#0; &#xD800; &#1114112; & alone", "&bogus; &amp &#0; &#xD800; &#1114112; & alone"),
        Case("&eacute;t&eacute; &mdash; &hellip; &apos;", "été — … '"),
        Case("&#128512;", "😀"),
    ])
    func entities(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("a<!-- comment -->b", "ab"),
        Case("a\n<!-- a whole\nline comment -->\nb", "a\nb"),
        Case("x<ref name=a>ref text [[y]]</ref> z<ref name=b/> w<REF>upper</REF>.", "x z w."),
        Case("Text.<ref>{{cite web|url=http://x.org|title=}}</ref>\n\n== Notes ==\n<references/>\n<references>\n<ref name=q>q</ref>\n</references>",
             "Text."),
        Case("<math>x^2</math> <gallery>\nFile:a.jpg|cap\n</gallery> <b>bold</b> <span style=\"color:red\">sp</span> <sup>1</sup>",
             "bold sp 1"),
        Case("<nowiki>[[x]] '''y''' &amp;</nowiki> [[dog]]<nowiki/>s", "[[x]] '''y''' & dogs"),
        Case("<pre>a ''b''\n  c</pre>", "a ''b''\n  c"),
        Case("<syntaxhighlight lang=\"c\">if (a &amp;&amp; b) {}</syntaxhighlight>", "if (a &amp;&amp; b) {}"),
        Case("a<br>b<br/>c<br />d</br>e", "a\nb\nc\nd\ne"),
        Case("a < b and c > d, <unknown>x</unknown>", "a < b and c > d, <unknown>x</unknown>"),
        Case("<div class=\"x\">div text</div>\n<center>c</center> <poem>line1\nline2</poem>", "div text\nc line1\nline2"),
        Case("<includeonly>hidden</includeonly><noinclude>shown</noinclude>", "shown"),
    ])
    func tagsAndComments(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("p1\n\n\n\n\np2", "p1\n\np2"),
        Case("\n\n  leading space line\nnext   \n\n", "leading space line\nnext"),
        Case("p1\n{{x}}\n\n{{y}}\n\n\np2", "p1\n\np2"),
        Case("line one\nline two\n\nnew paragraph", "line one\nline two\n\nnew paragraph"),
    ])
    func whitespace(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test(arguments: [
        Case("-{A|zh:X;zh-cn:Y;zh-tw:Z;}-", "Y"),
        Case("-{zh-hans:计算机; zh-hant:電腦;}-科学", "计算机科学"),
        Case("是-{H|zh-cn:计算机;zh-tw:電腦;}-人", "是人"),
        Case("-{简单}- and -{R|raw: text}-", "简单 and raw: text"),
        Case("-{zh-tw:[[提姆·柏納-李]];zh-hk:[[添·柏納-李]]}-", "提姆·柏納-李"),
        Case("a-b -{{x}}", "a-b -"),
    ])
    func languageConversion(_ test: Case) {
        #expect(cleaner.plainText(from: test.wikitext) == test.expected)
    }

    @Test func localizedNamespacesCanBeAdded() {
        let text = "Tekst [[Bildo:a.png|bildeto]] kaj [[Kategorio:X]]."
        #expect(cleaner.plainText(from: text) == "Tekst bildeto kaj Kategorio:X.")
        let esperanto = WikitextCleaner(options: .init().adding(fileNamespaces: ["Dosiero", "Bildo"],
                                                                  categoryNamespaces: ["Kategorio"]))
        #expect(esperanto.plainText(from: text) == "Tekst kaj.")
    }

    @Test func namespaceMatchingIgnoresCaseAndUnderscores() {
        #expect(cleaner.plainText(from: "a [[CATEGORY:X]][[category : Y]][[Thể_loại:Z]][[FILE:q.png]] b") == "a b")
    }

    @Test func preferredVariantIsConfigurable() {
        let traditional = WikitextCleaner(options: .init(preferredVariants: ["zh-tw", "zh-hant"]))
        #expect(traditional.plainText(from: "-{zh-cn:计算机;zh-tw:電腦;}-") == "電腦")
    }
}
