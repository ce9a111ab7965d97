/// Character-level markup: entities, bold/italic quotes, behaviour switches.
extension WikitextScanner {
    mutating func entity() {
        if let (scalar, end) = parseEntity(at: position, limit: input.count) {
            output.appendScalar(scalar)
            position = end
        } else {
            output.append(WikitextByte.ampersand)
            position += 1
        }
    }

    /// `&name;`, `&#123;` or `&#x1F;` at `start` (an `&`): the scalar and the byte after `;`.
    /// Invalid or unknown entities are nil and stay literal, as MediaWiki shows them.
    func parseEntity(at start: Int, limit: Int) -> (UInt32, Int)? {
        var p = start + 1
        guard p < limit else { return nil }
        if input[p] == WikitextByte.hash {
            p += 1
            let isHex = p < limit && (input[p] | 0x20) == UInt8(ascii: "x")
            if isHex { p += 1 }
            var value: UInt32 = 0
            var digits = 0
            while p < limit && digits <= 8 {
                let byte = input[p]
                let digit: UInt32
                if WikitextByte.isASCIIDigit(byte) {
                    digit = UInt32(byte - UInt8(ascii: "0"))
                } else if isHex, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "f") {
                    digit = UInt32((byte | 0x20) - UInt8(ascii: "a") + 10)
                } else {
                    break
                }
                value = value * (isHex ? 16 : 10) + digit
                digits += 1
                p += 1
            }
            guard digits > 0, digits <= 8, p < limit, input[p] == WikitextByte.semicolon,
                  Self.isAllowedCharacterReference(value) else { return nil }
            return (value, p + 1)
        }
        let nameStart = p
        while p < limit && p - nameStart < 10
            && (WikitextByte.isASCIILetter(input[p]) || WikitextByte.isASCIIDigit(input[p])) {
            p += 1
        }
        guard p > nameStart, p < limit, input[p] == WikitextByte.semicolon else { return nil }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[nameStart..<p]), as: UTF8.self)
        guard let scalar = WikitextEntityTable.scalars[name] else { return nil }
        return (scalar, p + 1)
    }

    /// The code points MediaWiki's Sanitizer accepts in `&#…;` (XML's Char production).
    static func isAllowedCharacterReference(_ value: UInt32) -> Bool {
        switch value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: return true
        default: return false
        }
    }

    /// `''` italic, `'''` bold, `'''''` both: removed, with MediaWiki's repairs: four quotes are
    /// an apostrophe plus bold, more than five keep the extra ones as text, and on a line with an
    /// odd number of both bold and italic marks one `'''` is an apostrophe plus italic
    /// (`''[[Animal Farm]]'''s plot` → "Animal Farm's plot").
    mutating func apostrophes() {
        let run = runLength(of: WikitextByte.apostrophe, from: position)
        if run >= 2 && quoteAnalysisLine != lineStart { analyzeQuotes() }
        var literal = run == 1 || run == 4 ? 1 : run > 5 ? run - 5 : 0
        if position == apostropheBeforeItalic { literal += 1 }
        output.append(repeating: WikitextByte.apostrophe, count: literal)
        position += run
    }

    /// Counts the current line's bold and italic marks once, as MediaWiki's doQuotes does, and
    /// picks the `'''` that is really an apostrophe followed by italics, if any: preferably one
    /// after a one-letter word (`l'''amour`), else one after a letter, else one after a space.
    private mutating func analyzeQuotes() {
        quoteAnalysisLine = lineStart
        apostropheBeforeItalic = -1
        let lineEnd = index(of: WikitextByte.newline, from: lineStart, to: input.count) ?? input.count
        var italics = 0, bold = 0
        var singleLetter = -1, multiLetter = -1, afterSpace = -1
        var p = lineStart
        while let quote = index(of: WikitextByte.apostrophe, from: p, to: lineEnd) {
            let run = runLength(of: WikitextByte.apostrophe, from: quote)
            p = quote + run
            switch run {
            case 1:
                continue
            case 2:
                italics += 1
            case 3, 4: // four quotes: an apostrophe, then bold
                bold += 1
                let last: UInt8? = run == 4 ? WikitextByte.apostrophe : byte(before: quote, offset: 1)
                let beforeLast: UInt8? = run == 4 ? byte(before: quote, offset: 1) : byte(before: quote, offset: 2)
                if last == WikitextByte.space {
                    if afterSpace < 0 { afterSpace = quote }
                } else if beforeLast == WikitextByte.space {
                    if singleLetter < 0 { singleLetter = quote }
                } else if multiLetter < 0 {
                    multiLetter = quote
                }
            default:
                italics += 1
                bold += 1
            }
        }
        guard italics % 2 == 1 && bold % 2 == 1 else { return }
        apostropheBeforeItalic = singleLetter >= 0 ? singleLetter : multiLetter >= 0 ? multiLetter : afterSpace
    }

    private func byte(before index: Int, offset: Int) -> UInt8? {
        index - offset >= lineStart ? input[index - offset] : nil
    }

    /// Behaviour switches such as `__TOC__`, `__NOTOC__` or localized `__目录__`: upper-case
    /// ASCII or non-ASCII letters between double underscores. Other underscores are text.
    mutating func underscores() {
        let run = runLength(of: WikitextByte.underscore, from: position)
        if run == 2 {
            var p = position + 2
            let limit = min(input.count, p + 64)
            while p < limit && ((input[p] >= UInt8(ascii: "A") && input[p] <= UInt8(ascii: "Z")) || input[p] >= 0x80) {
                p += 1
            }
            if p > position + 2 && hasPrefix("__", at: p) {
                position = p + 2
                markRemoval()
                return
            }
        }
        output.append(repeating: WikitextByte.underscore, count: run)
        position += run
    }
}
