/// Comments, extension tags and HTML tags.
extension WikitextScanner {
    /// How far a tag's attributes may reach for its `>`: keeps a stray `<ref` from searching the
    /// whole page.
    static let maximumTagLength = 2048

    struct Tag {
        var kind: WikitextTagKind
        var nameStart: Int
        var nameLength: Int
        var isClosing: Bool
        var isSelfClosing: Bool
        /// First byte after `>`.
        var end: Int
    }

    mutating func angleBracket() {
        if hasPrefix("<!--", at: position) {
            skipComment()
            return
        }
        guard let tag = parseTag(at: position) else {
            output.append(WikitextByte.lessThan)
            position += 1
            return
        }
        position = tag.end
        markRemoval()
        switch tag.kind {
        case .transparent:
            break
        case .lineBreak:
            emitLineBreak()
        case .removed:
            guard !tag.isClosing && !tag.isSelfClosing else { return }
            if let close = findClosingTag(of: tag) { position = close.upperBound }
        case .verbatim, .verbatimRaw:
            guard !tag.isClosing && !tag.isSelfClosing, let close = findClosingTag(of: tag) else { return }
            emitVerbatim(from: tag.end, to: close.lowerBound, decodingEntities: tag.kind == .verbatim)
            position = close.upperBound
        }
    }

    /// `<!-- … -->`. An unclosed comment drops only its `<!--`: the rest of the page is text.
    private mutating func skipComment() {
        var searchFrom = position + 4
        while !commentsUnclosed {
            guard let dash = index(of: WikitextByte.hyphen, from: searchFrom, to: input.count) else {
                commentsUnclosed = true
                break
            }
            if hasPrefix("-->", at: dash) {
                position = dash + 3
                markRemoval()
                return
            }
            searchFrom = dash + 1
        }
        position += 4
    }

    /// Parses `<name …>`, `</name>` or `<name …/>` for a known tag name at `start`.
    private func parseTag(at start: Int) -> Tag? {
        let end = input.count
        var p = start + 1
        let isClosing = p < end && input[p] == WikitextByte.slash
        if isClosing { p += 1 }
        let nameStart = p
        guard p < end, WikitextByte.isASCIILetter(input[p]) else { return nil }
        while p < end && p - nameStart <= WikitextTags.maximumNameLength
            && (WikitextByte.isASCIILetter(input[p]) || WikitextByte.isASCIIDigit(input[p])) {
            p += 1
        }
        let nameLength = p - nameStart
        guard nameLength <= WikitextTags.maximumNameLength, p < end else { return nil }
        let after = input[p]
        guard after == WikitextByte.greaterThan || after == WikitextByte.slash
            || after == WikitextByte.space || after == WikitextByte.tab || after == WikitextByte.newline
        else { return nil }
        guard let kind = WikitextTags.kinds[lowercasedName(from: nameStart, length: nameLength)] else { return nil }
        // Like MediaWiki's preprocessor, the first `>` ends the tag (quotes are not special).
        let limit = min(end, p + Self.maximumTagLength)
        guard let close = index(of: WikitextByte.greaterThan, from: p, to: limit) else { return nil }
        let isSelfClosing = input[close - 1] == WikitextByte.slash
        return Tag(kind: kind, nameStart: nameStart, nameLength: nameLength, isClosing: isClosing,
                   isSelfClosing: isSelfClosing, end: close + 1)
    }

    private func lowercasedName(from start: Int, length: Int) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            for offset in 0..<length { buffer[offset] = WikitextByte.lowercased(input[start + offset]) }
            return length
        }
    }

    /// Finds `</name\s*>` (case-insensitive) after `tag`; remembers names with no closing tag
    /// left so a page full of unclosed `<ref>` stays linear.
    private mutating func findClosingTag(of tag: Tag) -> Range<Int>? {
        let name = lowercasedName(from: tag.nameStart, length: tag.nameLength)
        guard !tagsWithoutClose.contains(name) else { return nil }
        var searchFrom = tag.end
        while let lessThan = index(of: WikitextByte.lessThan, from: searchFrom, to: input.count) {
            searchFrom = lessThan + 1
            var p = lessThan + 1
            guard p < input.count, input[p] == WikitextByte.slash else { continue }
            p += 1
            guard p + tag.nameLength <= input.count else { break }
            var matches = true
            for offset in 0..<tag.nameLength
            where WikitextByte.lowercased(input[p + offset]) != WikitextByte.lowercased(input[tag.nameStart + offset]) {
                matches = false
                break
            }
            guard matches else { continue }
            p += tag.nameLength
            while p < input.count && (WikitextByte.isHorizontalSpace(input[p]) || input[p] == WikitextByte.newline) {
                p += 1
            }
            if p < input.count && input[p] == WikitextByte.greaterThan { return lessThan..<(p + 1) }
        }
        tagsWithoutClose.insert(name)
        return nil
    }

    /// Appends `<nowiki>`/`<pre>`/`<syntaxhighlight>` content as literal text. Line ends are
    /// normalized as everywhere else (no trailing spaces, at most one blank line in a row);
    /// indentation is kept.
    private mutating func emitVerbatim(from start: Int, to end: Int, decodingEntities: Bool) {
        var segmentStart = start
        while segmentStart <= end {
            let lineEnd = index(of: WikitextByte.newline, from: segmentStart, to: end) ?? end
            if decodingEntities {
                emitDecodingEntities(from: segmentStart, to: lineEnd)
            } else {
                output.append(UnsafeBufferPointer(rebasing: input[segmentStart..<lineEnd]))
            }
            guard lineEnd < end else { return }
            output.trimTrailingSpaces(floor: stack.last?.outputStart ?? 0)
            if !output.isEmpty && !output.endsWithBlankLine { output.append(WikitextByte.newline) }
            segmentStart = lineEnd + 1
        }
    }

    private mutating func emitDecodingEntities(from start: Int, to end: Int) {
        var p = start
        while p < end {
            guard let ampersand = index(of: WikitextByte.ampersand, from: p, to: end) else {
                output.append(UnsafeBufferPointer(rebasing: input[p..<end]))
                return
            }
            output.append(UnsafeBufferPointer(rebasing: input[p..<ampersand]))
            if let (scalar, entityEnd) = parseEntity(at: ampersand, limit: end) {
                output.appendScalar(scalar)
                p = entityEnd
            } else {
                output.append(WikitextByte.ampersand)
                p = ampersand + 1
            }
        }
    }
}
