/// What the cleaner does with an HTML-like tag, by lower-cased name. Names not listed here are
/// not tags at all: `<foo>` and `a < b` stay literal text, as MediaWiki escapes them.
enum WikitextTagKind: UInt8 {
    /// The tag and everything up to its closing tag are dropped (`<ref>`, `<gallery>`, `<math>`).
    case removed
    /// The content is kept as literal text, markup not interpreted, entities decoded
    /// (`<nowiki>`, `<pre>`).
    case verbatim
    /// The content is kept byte for byte (`<syntaxhighlight>`, `<source>`: code).
    case verbatimRaw
    /// Only the tag itself is dropped; its content is ordinary wikitext (`<b>`, `<span>`, `<poem>`).
    case transparent
    /// `<br>`: a line break.
    case lineBreak
}

enum WikitextTags {
    /// MediaWiki's extension tags (whose content the preprocessor never parses) and the HTML tags
    /// its Sanitizer allows. strip_code keeps the content of `<ref>`; we drop it because
    /// footnotes are not running text.
    static let kinds: [String: WikitextTagKind] = {
        var table: [String: WikitextTagKind] = [:]
        let removed = [
            "ref", "references", "gallery", "math", "chem", "ce", "timeline", "score", "graph",
            "imagemap", "templatedata", "templatestyles", "categorytree", "inputbox", "mapframe",
            "maplink", "indicator", "hiero", "includeonly", "charinsert", "dynamicpagelist", "rss",
            "quiz", "phonos", "talkpage", "languages", "style", "script",
        ]
        let verbatim = ["nowiki", "pre"]
        let verbatimRaw = ["syntaxhighlight", "source"]
        let transparent = [
            "a", "abbr", "b", "bdi", "bdo", "big", "blockquote", "caption", "center", "cite", "code",
            "data", "dd", "del", "dfn", "div", "dl", "dt", "em", "font", "h1", "h2", "h3", "h4", "h5",
            "h6", "hr", "i", "ins", "kbd", "li", "link", "mark", "meta", "ol", "p", "q", "rb", "rp",
            "rt", "rtc", "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
            "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
            "wbr", "poem", "noinclude", "onlyinclude", "section", "translate", "tvar", "nav",
        ]
        for name in removed { table[name] = .removed }
        for name in verbatim { table[name] = .verbatim }
        for name in verbatimRaw { table[name] = .verbatimRaw }
        for name in transparent { table[name] = .transparent }
        table["br"] = .lineBreak
        return table
    }()

    /// Longest name above; longer candidates are not looked up.
    static let maximumNameLength = 16
}
