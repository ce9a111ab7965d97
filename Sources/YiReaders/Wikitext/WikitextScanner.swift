import Foundation

/// The single pass behind `WikitextCleaner`.
///
/// Text is copied to the output as it is read. Every bracketed construct (`{{`, `[[`, `[url`,
/// `{|`, `-{`) pushes a frame that remembers where its output began; when the construct closes,
/// the frame decides what survives: nothing (templates, tables, media/category links), the label
/// (links), the chosen variant (`-{…}-`). Truncating the output is O(1), so nothing is ever
/// re-read and the pass stays linear however deep or broken the nesting is. Tags whose content
/// MediaWiki never parses (`<ref>`, `<nowiki>`, comments) are skipped by a forward search for
/// their end; a search that fails is remembered so that it is never repeated.
///
/// Unbalanced markup (the rule, tested in WikitextRobustnessTests):
/// - An opener that is never closed is dropped and its content kept as text: an unclosed `{{`
///   does not hide the rest of the page. A `[[` is abandoned at a line break before its `|`, or
///   at a blank line; a `[url` at any line break. Unclosed tables end where their enclosing
///   construct ends (MediaWiki closes them at the end of the text) and are removed.
/// - Closers match the nearest open construct of their kind: `}}` closes the nearest `{{`
///   (templates are expanded before anything else, as in MediaWiki's preprocessor), abandoning
///   links and tables opened inside it; `]]` looks only through external links and `-{`, never
///   through a template or a table. Stray closers `}}` and `]]` are dropped.
/// - An unclosed `<!--` or extension tag (`<ref>` without `</ref>`) drops only the opening tag.
/// - At most `maximumDepth` constructs are open at once; deeper openers are dropped.
struct WikitextScanner {
    static let maximumDepth = 64

    let input: UnsafeBufferPointer<UInt8>
    let options: WikitextCleaner.Options
    var output: WikitextOutputBuffer
    var stack: [WikitextFrame] = []
    var position = 0

    /// Markup was removed on the current line: a line left empty by it disappears with its
    /// newline, while a line that was blank in the source is a paragraph break and stays.
    var lineHadMarkup = false
    /// The output length right after the last removal: a space left before closing punctuation
    /// by a removed `{{citation needed}}` is dropped.
    var removalOutputCount = -1
    /// The heading being read on this line, if any.
    var heading: WikitextHeading?
    /// Input position where the current line starts.
    var lineStart = 0
    /// The line whose apostrophes `analyzeQuotes` counted, and the `'''` it found to be an
    /// apostrophe plus italics (-1: none).
    var quoteAnalysisLine = -1
    var apostropheBeforeItalic = -1
    /// Headings with nothing but whitespace after them so far, outermost first.
    var emptySections: [WikitextSection] = []
    /// Set on a `;term : definition` line: the stack depth at which its `:` splits the line.
    var definitionTermDepth = -1
    /// Once a search for `-->` failed, later `<!--` are unclosed too: never search again.
    var commentsUnclosed = false
    /// Tag names whose closing tag a search failed to find (lower-cased), for the same reason.
    var tagsWithoutClose: Set<String> = []

    init(input: UnsafeBufferPointer<UInt8>, options: WikitextCleaner.Options) {
        self.input = input
        self.options = options
        output = WikitextOutputBuffer(capacity: input.count + 16)
        stack.reserveCapacity(16)
    }

    func deallocate() { output.deallocate() }

    mutating func run() {
        startLine()
        let end = input.count
        while position < end {
            let byte = input[position]
            guard WikitextByte.isSpecial(byte) else {
                copyText()
                continue
            }
            switch byte {
            case WikitextByte.newline: newline()
            case WikitextByte.openBrace: openBraces()
            case WikitextByte.closeBrace: closeBraces()
            case WikitextByte.openBracket: openBrackets()
            case WikitextByte.closeBracket: closeBrackets()
            case WikitextByte.pipe: pipe()
            case WikitextByte.lessThan: angleBracket()
            case WikitextByte.ampersand: entity()
            case WikitextByte.apostrophe: apostrophes()
            default: underscores()
            }
        }
        finish()
    }

    private mutating func finish() {
        finishHeading()
        if stack.isEmpty { dropEmptySections(endingAtLevel: 1) }
        while !stack.isEmpty { abandonTop() }
        // Trailing blank lines and spaces.
        while let last = output.last,
              last == WikitextByte.newline || last == WikitextByte.space || last == WikitextByte.tab
                || last == WikitextByte.carriageReturn {
            output.truncate(to: output.count - 1)
        }
    }

    // MARK: - Text

    /// Copies the run of ordinary bytes starting at `position`.
    @inline(__always)
    private mutating func copyText() {
        let end = input.count
        var runEnd = position + 1
        while runEnd < end && !WikitextByte.isSpecial(input[runEnd]) { runEnd += 1 }
        emitText(from: position, to: runEnd)
        position = runEnd
    }

    /// Appends source text, without spaces at a line start or after a space that a removal left.
    mutating func emitText(from start: Int, to end: Int) {
        var start = start
        if output.endsWithBreakOrSpace {
            while start < end && (input[start] == WikitextByte.space || input[start] == WikitextByte.tab) {
                start += 1
            }
            guard start < end else { return }
            if output.count == removalOutputCount && output.last == WikitextByte.space
                && WikitextByte.isClosingPunctuation(input[start])
                && output.count - 1 >= stack.last?.outputStart ?? 0 {
                output.truncate(to: output.count - 1)
            }
        }
        if output.count == removalOutputCount, let length = emptiedParenthesisLength(closingAt: start, end: end),
           output.count - length >= stack.last?.outputStart ?? 0 {
            // "Bodmin ({{lang-kw|Bosvena}}) is" → "Bodmin is", not "Bodmin () is".
            output.truncate(to: output.count - length)
            output.trimTrailingSpaces(floor: stack.last?.outputStart ?? 0)
            emitText(from: start + length, to: end)
            return
        }
        if definitionTermDepth == stack.count, let colon = index(of: WikitextByte.colon, from: start, to: end) {
            output.append(UnsafeBufferPointer(rebasing: input[start..<colon]))
            definitionTermDepth = -1
            emitLineBreak()
            emitText(from: colon + 1, to: end)
            return
        }
        output.append(UnsafeBufferPointer(rebasing: input[start..<end]))
    }

    /// The byte length of `)` or `）` at `start` when the output ends with the matching opening
    /// parenthesis (all its content was removed markup), else nil.
    private func emptiedParenthesisLength(closingAt start: Int, end: Int) -> Int? {
        let count = output.count
        if input[start] == UInt8(ascii: ")") {
            return count >= 1 && output[count - 1] == UInt8(ascii: "(") ? 1 : nil
        }
        // U+FF08 / U+FF09 FULLWIDTH PARENTHESIS: EF BC 88 / EF BC 89.
        guard input[start] == 0xEF, start + 2 < end, input[start + 1] == 0xBC, input[start + 2] == 0x89,
              count >= 3, output[count - 3] == 0xEF, output[count - 2] == 0xBC, output[count - 1] == 0x88
        else { return nil }
        return 3
    }

    /// A line break inside a line (`<br>`, a definition's `:`): at most one blank line in a row.
    mutating func emitLineBreak() {
        output.trimTrailingSpaces(floor: stack.last?.outputStart ?? 0)
        guard !output.isEmpty, !output.endsWithBlankLine else { return }
        output.append(WikitextByte.newline)
    }

    mutating func markRemoval() {
        lineHadMarkup = true
        removalOutputCount = output.count
    }

    // MARK: - Frames

    mutating func push(_ frame: WikitextFrame) {
        stack.append(frame)
    }

    /// Ends the innermost construct without its closer (see the rule in the type's comment).
    mutating func abandonTop() {
        let frame = stack.removeLast()
        switch frame.kind {
        case .link:
            finishLink(frame, targetEnd: frame.pipeInput >= 0 ? frame.pipeInput : position)
        case .table:
            output.truncate(to: frame.outputStart)
            markRemoval()
        case .braces, .externalLink, .languageConversion:
            break
        }
    }

    /// Abandons every frame above `index`.
    mutating func abandonFrames(above index: Int) {
        while stack.count > index + 1 { abandonTop() }
    }

    // MARK: - Byte helpers

    func runLength(of byte: UInt8, from start: Int) -> Int {
        var end = start
        while end < input.count && input[end] == byte { end += 1 }
        return end - start
    }

    func index(of byte: UInt8, from start: Int, to end: Int) -> Int? {
        guard start < end, let base = input.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), end - start) else { return nil }
        return UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - base
    }

    func hasPrefix(_ literal: StaticString, at start: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard start + count <= input.count else { return false }
        let bytes = literal.utf8Start
        for offset in 0..<count where input[start + offset] != bytes[offset] { return false }
        return true
    }
}

/// One open bracketed construct.
struct WikitextFrame {
    enum Kind: UInt8 {
        case braces, link, externalLink, table, languageConversion
    }

    var kind: Kind
    /// Output length when the construct opened: what it emitted starts here.
    var outputStart: Int
    /// First input byte after the opener.
    var inputStart: Int
    /// `{{` / `{{{` / `{{{{{`: how many braces are still open.
    var braceCount = 0
    /// Braces: output position just after the first `|` (an argument's default starts there).
    var pipeOutput = -1
    /// Links: input position of the first `|`, and what the target before it is.
    var pipeInput = -1
    var target = WikitextLinkTarget.normal

    /// Constructs a closer may look through: they never swallow a template's or a link's end.
    var isWeak: Bool { kind == .link || kind == .externalLink || kind == .languageConversion }
}

struct WikitextHeading {
    /// Length of the opening `=` run.
    var level: Int
    /// Stack depth at the line start: a heading ends on its own line, outside any construct.
    var depth: Int
    var outputStart: Int
    /// Whitespace followed the opening run (dropped from the title, restored with unmatched `=`).
    var spaced: Bool
}

/// A heading in the output, from its line start to the end of its title.
struct WikitextSection {
    var level: Int
    var start: Int
    var end: Int
}

enum WikitextByte {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let pipe = UInt8(ascii: "|")
    static let lessThan = UInt8(ascii: "<")
    static let greaterThan = UInt8(ascii: ">")
    static let ampersand = UInt8(ascii: "&")
    static let apostrophe = UInt8(ascii: "'")
    static let underscore = UInt8(ascii: "_")
    static let colon = UInt8(ascii: ":")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let hyphen = UInt8(ascii: "-")
    static let slash = UInt8(ascii: "/")
    static let hash = UInt8(ascii: "#")

    // Bytes that may start markup, as two 64-bit masks (bytes 0-63 and 64-127).
    private static let lowMask: UInt64 =
        (1 << 10) | (1 << 38) | (1 << 39) | (1 << 60)          // \n & ' <
    private static let highMask: UInt64 =
        (1 << (91 - 64)) | (1 << (93 - 64)) | (1 << (95 - 64))  // [ ] _
        | (1 << (123 - 64)) | (1 << (124 - 64)) | (1 << (125 - 64)) // { | }

    @inline(__always)
    static func isSpecial(_ byte: UInt8) -> Bool {
        if byte < 64 { return (lowMask >> UInt64(byte)) & 1 != 0 }
        if byte < 128 { return (highMask >> UInt64(byte &- 64)) & 1 != 0 }
        return false
    }

    static func isClosingPunctuation(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: ":"),
             UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: ")"):
            return true
        default:
            return false
        }
    }

    static func isHorizontalSpace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    static func isASCIIDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
