/// One pass over a document's UTF-8 bytes that measures everything the quality heuristics,
/// the repetition heuristics and script detection need.
///
/// ## Word segmentation (language-neutral)
/// - A *word* is a maximal run of letters, marks, digits and `_` (`L*`, `M*`, `N*`, `Pc`) in a
///   spaced script. `' ’ - ‐ .` between two such characters stay inside the word (`don't`,
///   `well-known`, `3.14`), as NLTK's word tokenizer keeps them.
/// - Each Han or Kana letter is a word on its own: Chinese and Japanese are written without
///   spaces, and a character is the unit that exists without a dictionary. Hangul is spaced
///   (Korean puts spaces between words), so its syllables build words like Latin letters.
/// - A *symbol token* is a maximal run of punctuation and symbols (`,` `...` `"),` `#` `，`).
///   Symbol tokens count as tokens (Gopher's `n_words`) but not as words (`non_symbol_words`).
/// - Format characters (BOM, zero-width joiners) are counted as characters only.
///
/// ## Lines and paragraphs
/// Lines are split like Python's `str.splitlines()` (`\r\n` is one break). Blank lines (empty or
/// whitespace only) separate paragraphs; they are not lines for the duplicate-line checks.
/// datatrove splits paragraphs at `\n\n` only, which misses `\r\n\r\n` and `\n \n`; we do not.
///
/// The analyzer keeps its buffers between documents (no allocation once warmed up). It is a
/// value type: each copy used by another thread gets its own buffers on first use. Memory is
/// about 50 bytes per token of the largest document seen (tokens plus the n-gram prefix sums),
/// so a pipeline should bound document length (`length: {max-chars}`) before the Gopher rules.
public struct TextAnalyzer {
    /// One token of the last analyzed text.
    struct Token {
        /// `TokenHash` of its bytes.
        var hash: UInt64
        var characters: UInt32
        /// `TokenFlag` bits.
        var flags: UInt8
    }

    /// The tokens, kept when `keepTokens` is set (the repetition heuristics need them).
    private(set) var tokens: [Token] = []
    /// Column views of `tokens` (for tests and tools; the filters read `tokens`).
    var tokenHashes: [UInt64] { tokens.map(\.hash) }
    var tokenCharacters: [UInt32] { tokens.map(\.characters) }
    var tokenFlags: [UInt8] { tokens.map(\.flags) }
    private var lineTable = ScratchHashTable()
    private var paragraphTable = ScratchHashTable()

    public init() {}

    enum TokenFlag {
        static let word: UInt8 = 1
        static let alphabetic: UInt8 = 2
        static let unspaced: UInt8 = 4
    }

    /// Measures `text`. With `keepTokens`, the token sequence stays available for n-gram checks
    /// until the next call.
    public mutating func analyze(_ text: String, keepTokens: Bool = true) -> TextAnalysis {
        var text = text
        return text.withUTF8 { analyze(utf8: UnsafeRawBufferPointer($0), keepTokens: keepTokens) }
    }

    /// Measures valid UTF-8 bytes (as Swift strings always hold; the decoder trusts them).
    mutating func analyze(utf8 bytes: UnsafeRawBufferPointer, keepTokens: Bool = true) -> TextAnalysis {
        tokens.removeAll(keepingCapacity: true)
        // Sized for lines of ~64 bytes; the tables grow when lines are shorter.
        lineTable.reset(expectedKeys: bytes.count / 64)
        paragraphTable.reset(expectedKeys: bytes.count / 256)
        var scan = Scan(bytes: bytes, keepTokens: keepTokens)
        ScalarTable.bmp.withUnsafeBufferPointer { table in
            scan.run(table: table, analyzer: &self)
        }
        return scan.finish()
    }

    fileprivate mutating func appendToken(hash: UInt64, characters: Int, flags: UInt8) {
        tokens.append(Token(hash: hash, characters: UInt32(truncatingIfNeeded: characters), flags: flags))
    }

    /// Records a non-blank line; returns true when an equal line came before.
    fileprivate mutating func isDuplicateLine(_ hash: UInt64) -> Bool { !lineTable.insert(hash) }
    fileprivate mutating func isDuplicateParagraph(_ hash: UInt64) -> Bool { !paragraphTable.insert(hash) }
}

/// The scanning state machine (kept out of `TextAnalyzer` so the hot loop works on locals).
private struct Scan {
    let bytes: UnsafeRawBufferPointer
    let base: UnsafePointer<UInt8>?
    let keepTokens: Bool
    var result = TextAnalysis()

    // Current token.
    enum TokenState { case none, word, symbol }
    var token = TokenState.none
    var tokenStart = 0
    var tokenChars = 0
    var tokenAlphabetic = false
    /// A connector seen inside a word: where it starts and the word's length before it.
    var connectorStart = -1
    var charsBeforeConnector = 0

    // Current line.
    var lineStart = 0
    var lineStartChar = 0
    var lineHasContent = false
    var lineIsBullet = false
    var dotRun = 0
    var ellipsisRun = 0
    var trailingDots = 0
    var endsWithEllipsisCharacter = false

    // Current paragraph.
    var paragraphOpen = false
    var paragraphStart = 0
    var paragraphStartChar = 0
    var paragraphEnd = 0
    var paragraphEndChar = 0

    var characterIndex = 0
    /// Letters per script (indexed by `Script.rawValue`), outside `result` so the hot loop
    /// increments a plain buffer rather than a copy-on-write array.
    let letters = UnsafeMutablePointer<Int>.allocate(capacity: 32)

    init(bytes: UnsafeRawBufferPointer, keepTokens: Bool) {
        self.bytes = bytes
        self.base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        self.keepTokens = keepTokens
        letters.initialize(repeating: 0, count: 32)
    }

    /// Moves the letter counts into `result` and frees the buffer (call once, after `run`).
    mutating func finish() -> TextAnalysis {
        result.scriptLetters = Array(UnsafeBufferPointer(start: letters, count: 32))
        letters.deallocate()
        return result
    }

    mutating func run(table: UnsafeBufferPointer<UInt8>, analyzer: inout TextAnalyzer) {
        guard let base else { return }
        let count = bytes.count
        var i = 0
        while i < count {
            let start = i
            let b0 = base[i]
            var value: UInt32
            if b0 < 0x80 {
                value = UInt32(b0); i += 1
            } else if b0 < 0xE0 {
                value = (UInt32(b0 & 0x1F) << 6) | UInt32(base[i + 1] & 0x3F); i += 2
            } else if b0 < 0xF0 {
                value = (UInt32(b0 & 0x0F) << 12) | (UInt32(base[i + 1] & 0x3F) << 6) | UInt32(base[i + 2] & 0x3F)
                i += 3
            } else {
                value = (UInt32(b0 & 0x07) << 18) | (UInt32(base[i + 1] & 0x3F) << 12)
                    | (UInt32(base[i + 2] & 0x3F) << 6) | UInt32(base[i + 3] & 0x3F)
                i += 4
            }
            let entry = value < 0x10000 ? table[Int(value)] : ScalarTable.entry(value)
            let kind = entry & 7

            if kind == ScalarKind.lineBreak.rawValue {
                endToken(at: start, analyzer: &analyzer)
                // `\r\n` is one break.
                if value == 0x0D, i < count, base[i] == 0x0A {
                    endLine(at: start, analyzer: &analyzer)
                    characterIndex += 2
                    i += 1
                } else {
                    endLine(at: start, analyzer: &analyzer)
                    characterIndex += 1
                }
                lineStart = i
                lineStartChar = characterIndex
                countDot(value)
                continue
            }

            countDot(value)
            if kind != ScalarKind.space.rawValue && kind != ScalarKind.ignorable.rawValue {
                noteLineContent(value)
            }

            switch kind {
            case ScalarKind.letter.rawValue, ScalarKind.wordPart.rawValue:
                if kind == ScalarKind.letter.rawValue { letters[Int(entry >> 3)] += 1 }
                switch token {
                case .word:
                    if connectorStart >= 0 { connectorStart = -1 }   // the connector joins two word parts
                case .symbol, .none:
                    endToken(at: start, analyzer: &analyzer)
                    token = .word
                    tokenStart = start
                    tokenChars = 0
                    tokenAlphabetic = false
                }
                tokenChars += 1
                if kind == ScalarKind.letter.rawValue { tokenAlphabetic = true }
                // Fast path: the rest of an ASCII word (no dots, no line ends, nothing to note
                // but letters and characters).
                var asciiLetters = 0
                let runStart = i
                while i < count {
                    let b = base[i]
                    guard b < 0x80 else { break }
                    let k = table[Int(b)] & 7
                    if k == ScalarKind.letter.rawValue { asciiLetters += 1 } else if k != ScalarKind.wordPart.rawValue { break }
                    i += 1
                }
                if i > runStart {
                    let run = i - runStart
                    tokenChars += run
                    characterIndex += run
                    letters[Int(Script.latin.rawValue)] += asciiLetters
                    if asciiLetters > 0 { tokenAlphabetic = true }
                    trailingDots = 0
                    endsWithEllipsisCharacter = false
                }
            case ScalarKind.unspacedLetter.rawValue:
                letters[Int(entry >> 3)] += 1
                endToken(at: start, analyzer: &analyzer)
                emit(start: start, end: i, characters: 1,
                     flags: TextAnalyzer.TokenFlag.word | TextAnalyzer.TokenFlag.alphabetic | TextAnalyzer.TokenFlag.unspaced,
                     analyzer: &analyzer)
            case ScalarKind.connector.rawValue:
                if token == .word && connectorStart < 0 {
                    connectorStart = start
                    charsBeforeConnector = tokenChars
                    tokenChars += 1
                } else {
                    continueSymbol(at: start, analyzer: &analyzer)
                }
            case ScalarKind.symbol.rawValue:
                if value == 0x23 { result.hashSigns += 1 }
                continueSymbol(at: start, analyzer: &analyzer)
            case ScalarKind.space.rawValue:
                endToken(at: start, analyzer: &analyzer)
            default:
                break   // ignorable: inside whatever token is open
            }
            characterIndex += 1
        }
        countDot(0)
        endToken(at: count, analyzer: &analyzer)
        if lineStart < count { endLine(at: count, analyzer: &analyzer) }
        closeParagraph(analyzer: &analyzer)
        result.characters = characterIndex
    }

    /// Runs of `.` count as `run / 3` ellipses (non-overlapping, as `str.count("...")`). Runs of
    /// `…` count as `⌈run / 2⌉`: the Chinese ellipsis `……` is one mark written with two
    /// characters (Python's `str.count("…")` would count it twice).
    @inline(__always)
    mutating func countDot(_ value: UInt32) {
        if value == 0x2E {
            if ellipsisRun > 0 { flushEllipsisRun() }
            dotRun += 1
        } else if value == 0x2026 {
            if dotRun > 0 { flushDotRun() }
            ellipsisRun += 1
        } else if dotRun | ellipsisRun != 0 {
            flushDotRun()
            flushEllipsisRun()
        }
    }

    mutating func flushDotRun() {
        result.ellipses += dotRun / 3
        dotRun = 0
    }

    mutating func flushEllipsisRun() {
        result.ellipses += (ellipsisRun + 1) / 2
        ellipsisRun = 0
    }

    /// A non-space character on the current line: bullet at the start, ellipsis at the end.
    @inline(__always)
    mutating func noteLineContent(_ value: UInt32) {
        if !lineHasContent {
            lineHasContent = true
            lineIsBullet = Scan.isBullet(value)
        }
        trailingDots = value == 0x2E ? dotRun : 0
        endsWithEllipsisCharacter = value == 0x2026
    }

    static func isBullet(_ value: UInt32) -> Bool {
        switch value {
        case 0x2D, 0x2A, 0x2022, 0x2023, 0x2043, 0x25E6, 0x25AA, 0x25AB, 0x25CF, 0x25CB, 0x25A0, 0x25A1,
             0x25BA, 0x25B6, 0x27A2, 0x27A4, 0x2713, 0x2714, 0x2219:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    mutating func continueSymbol(at start: Int, analyzer: inout TextAnalyzer) {
        if token == .word && connectorStart >= 0 {
            // `end...`: the pending connector did not join two word parts; it starts the symbol run.
            emit(start: tokenStart, end: connectorStart, characters: charsBeforeConnector,
                 flags: wordFlags, analyzer: &analyzer)
            token = .symbol
            tokenStart = connectorStart
            tokenChars -= charsBeforeConnector
            connectorStart = -1
        }
        if token == .symbol { tokenChars += 1; return }
        endToken(at: start, analyzer: &analyzer)
        token = .symbol
        tokenStart = start
        tokenChars = 1
        tokenAlphabetic = false
    }

    /// Ends the open token before byte `end`. A word's trailing connector becomes a symbol token.
    @inline(__always)
    mutating func endToken(at end: Int, analyzer: inout TextAnalyzer) {
        switch token {
        case .none:
            return
        case .symbol:
            emit(start: tokenStart, end: end, characters: tokenChars, flags: 0, analyzer: &analyzer)
        case .word:
            let flags = wordFlags
            if connectorStart >= 0 {
                emit(start: tokenStart, end: connectorStart, characters: charsBeforeConnector, flags: flags, analyzer: &analyzer)
                emit(start: connectorStart, end: end, characters: tokenChars - charsBeforeConnector, flags: 0,
                     analyzer: &analyzer)
                connectorStart = -1
            } else {
                emit(start: tokenStart, end: end, characters: tokenChars, flags: flags, analyzer: &analyzer)
            }
        }
        token = .none
    }

    var wordFlags: UInt8 {
        TextAnalyzer.TokenFlag.word | (tokenAlphabetic ? TextAnalyzer.TokenFlag.alphabetic : 0)
    }

    @inline(__always)
    mutating func emit(start: Int, end: Int, characters: Int, flags: UInt8, analyzer: inout TextAnalyzer) {
        result.tokens += 1
        if flags & TextAnalyzer.TokenFlag.word != 0 {
            result.words += 1
            result.wordCharacters += characters
        }
        if flags & TextAnalyzer.TokenFlag.alphabetic != 0 { result.alphabeticTokens += 1 }
        if flags & TextAnalyzer.TokenFlag.unspaced != 0 { result.unspacedWords += 1 }
        if keepTokens {
            let hash = TokenHash.hash(UnsafeRawPointer(base! + start), count: end - start)
            analyzer.appendToken(hash: hash, characters: characters, flags: flags)
        }
    }

    mutating func endLine(at end: Int, analyzer: inout TextAnalyzer) {
        result.lines += 1
        if lineHasContent {
            if lineIsBullet { result.bulletLines += 1 }
            if trailingDots >= 3 || endsWithEllipsisCharacter { result.ellipsisLines += 1 }
            result.nonBlankLines += 1
            let hash = XXHash64.hash(UnsafeRawPointer(base! + lineStart), count: end - lineStart)
            if analyzer.isDuplicateLine(hash) {
                result.duplicateLines += 1
                result.duplicateLineCharacters += characterIndex - lineStartChar
            }
            if !paragraphOpen {
                paragraphOpen = true
                paragraphStart = lineStart
                paragraphStartChar = lineStartChar
            }
            paragraphEnd = end
            paragraphEndChar = characterIndex
        } else {
            closeParagraph(analyzer: &analyzer)
        }
        lineHasContent = false
        lineIsBullet = false
        trailingDots = 0
        endsWithEllipsisCharacter = false
    }

    mutating func closeParagraph(analyzer: inout TextAnalyzer) {
        guard paragraphOpen else { return }
        paragraphOpen = false
        result.paragraphs += 1
        let hash = XXHash64.hash(UnsafeRawPointer(base! + paragraphStart), count: paragraphEnd - paragraphStart)
        if analyzer.isDuplicateParagraph(hash) {
            result.duplicateParagraphs += 1
            result.duplicateParagraphCharacters += paragraphEndChar - paragraphStartChar
        }
    }
}
