/// `-{…}-`: MediaWiki's language conversion markup (Chinese, Serbian, … variants).
extension WikitextScanner {
    /// Rewrites the output of a closed `-{…}-`: flags `H`/`T`/`-` hide it; variant rules
    /// (`zh-hans:…;zh-hant:…`) show the preferred variant; anything else shows as is.
    mutating func closeLanguageConversion() {
        let frame = stack.removeLast()
        let start = frame.outputStart
        guard output.count > start else { return }
        var contentStart = start
        if let bar = outputIndex(of: WikitextByte.pipe, from: start, limit: min(output.count, start + 16)),
           bar > start, (start..<bar).allSatisfy({ Self.isConversionFlag(output[$0]) }) {
            let flags = (start..<bar).map { output[$0] }
            if flags.contains(UInt8(ascii: "H")) || flags.contains(UInt8(ascii: "T"))
                || flags.contains(WikitextByte.hyphen) {
                output.truncate(to: start)
                markRemoval()
                return
            }
            contentStart = bar + 1
            if flags.contains(UInt8(ascii: "R")) {
                output.moveTail(from: contentStart, to: start)
                return
            }
        }
        let chosen = preferredVariant(from: contentStart, to: output.count) ?? (contentStart..<output.count)
        var lower = chosen.lowerBound, upper = chosen.upperBound
        while lower < upper && output[lower] == WikitextByte.space { lower += 1 }
        while upper > lower && output[upper - 1] == WikitextByte.space { upper -= 1 }
        output.truncate(to: upper)
        output.moveTail(from: lower, to: start)
    }

    private static func isConversionFlag(_ byte: UInt8) -> Bool {
        WikitextByte.isASCIILetter(byte) || byte == WikitextByte.semicolon || byte == WikitextByte.hyphen
            || byte == WikitextByte.space
    }

    /// Splits `code:text;code:text` and returns the text of the preferred variant (or of the
    /// first one), or nil when the content is not a list of variant rules.
    private func preferredVariant(from start: Int, to end: Int) -> Range<Int>? {
        var rules: [(code: String, text: Range<Int>)] = []
        var p = start
        while p < end {
            while p < end && output[p] == WikitextByte.space { p += 1 }
            guard let (code, textStart) = variantCode(at: p, end: end) else {
                if rules.isEmpty { return nil }
                break
            }
            // The text runs to the next `;` that starts another rule.
            var q = textStart, textEnd = end
            while let semicolon = outputIndex(of: WikitextByte.semicolon, from: q, limit: end) {
                var r = semicolon + 1
                while r < end && output[r] == WikitextByte.space { r += 1 }
                if r >= end || variantCode(at: r, end: end) != nil {
                    textEnd = semicolon
                    break
                }
                q = semicolon + 1
            }
            rules.append((code, textStart..<textEnd))
            p = textEnd + 1
        }
        for variant in options.preferredVariants {
            if let rule = rules.first(where: { $0.code == variant }) { return rule.text }
        }
        return rules.first?.text
    }

    /// A variant code such as `zh`, `zh-hans`, `sr-el` followed by `:` at `start`.
    private func variantCode(at start: Int, end: Int) -> (String, Int)? {
        var p = start
        while p < end && p - start < 12
            && (WikitextByte.isASCIILetter(output[p]) || output[p] == WikitextByte.hyphen) {
            p += 1
        }
        guard p - start >= 2, p < end, output[p] == WikitextByte.colon,
              WikitextByte.isASCIILetter(output[start]) else { return nil }
        let code = String(decoding: (start..<p).map { WikitextByte.lowercased(output[$0]) }, as: UTF8.self)
        guard code.count <= 3 || code.contains("-") else { return nil }
        return (code, p + 1)
    }

    private func outputIndex(of byte: UInt8, from start: Int, limit: Int) -> Int? {
        var p = start
        while p < limit {
            if output[p] == byte { return p }
            p += 1
        }
        return nil
    }
}
