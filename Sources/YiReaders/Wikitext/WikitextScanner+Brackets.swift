/// Templates and parser functions `{{…}}`, arguments `{{{…}}}`, language conversion `-{…}-`,
/// and the `|` that separates their parts and a link's target from its label.
extension WikitextScanner {
    mutating func openBraces() {
        let run = runLength(of: WikitextByte.openBrace, from: position)
        if run == 1 {
            // `-{` (language conversion): the `-` was already copied as text.
            if position > 0, input[position - 1] == WikitextByte.hyphen, output.last == WikitextByte.hyphen,
               stack.count < Self.maximumDepth {
                output.truncate(to: output.count - 1)
                position += 1
                push(WikitextFrame(kind: .languageConversion, outputStart: output.count, inputStart: position))
            } else {
                output.append(WikitextByte.openBrace)
                position += 1
            }
            return
        }
        position += run
        guard stack.count < Self.maximumDepth else { return }
        push(WikitextFrame(kind: .braces, outputStart: output.count, inputStart: position, braceCount: run))
    }

    /// Matches a `}` run against the open brace runs the way MediaWiki's preprocessor does:
    /// three braces make an argument where both sides have three, otherwise two make a template.
    mutating func closeBraces() {
        var remaining = runLength(of: WikitextByte.closeBrace, from: position)
        position += remaining
        var leftOpeningBrace = false
        while remaining >= 2, let index = stack.lastIndex(where: { $0.kind == .braces }) {
            abandonFrames(above: index)
            var frame = stack[index]
            let matched = frame.braceCount >= 3 && remaining >= 3 ? 3 : 2
            if matched == 3 && frame.pipeOutput >= 0 {
                // `{{{1|default}}}` shows its default, as strip_code does.
                output.moveTail(from: frame.pipeOutput, to: frame.outputStart)
            } else {
                output.truncate(to: frame.outputStart)
                markRemoval()
            }
            remaining -= matched
            frame.braceCount -= matched
            if frame.braceCount >= 2 {
                frame.pipeOutput = -1
                stack[index] = frame
            } else {
                leftOpeningBrace = frame.braceCount == 1
                stack.removeLast()
            }
        }
        // A stray `}}` is dropped; so is a single `}` left over against a single `{`
        // (`{{{{a}}}}`: an argument inside unmatched braces).
        guard remaining == 1, !leftOpeningBrace else { return }
        if let top = stack.last, top.kind == .languageConversion,
           position < input.count, input[position] == WikitextByte.hyphen {
            position += 1
            closeLanguageConversion()
        } else {
            output.append(WikitextByte.closeBrace)
        }
    }

    mutating func pipe() {
        position += 1
        if var top = stack.last {
            if top.kind == .link && top.pipeInput < 0 {
                // The target's rendering is no longer needed: the label replaces it.
                top.pipeInput = position - 1
                top.target = classifyLinkTarget(from: top.inputStart, to: top.pipeInput)
                stack[stack.count - 1] = top
                output.truncate(to: top.outputStart)
                return
            }
            if top.kind == .braces && top.pipeOutput < 0 {
                output.append(WikitextByte.pipe)
                stack[stack.count - 1].pipeOutput = output.count
                return
            }
        }
        output.append(WikitextByte.pipe)
    }

    // MARK: - Links

    mutating func openBrackets() {
        let run = runLength(of: WikitextByte.openBracket, from: position)
        if run >= 2 {
            output.append(repeating: WikitextByte.openBracket, count: run - 2)
            position += run
            guard stack.count < Self.maximumDepth else { return }
            push(WikitextFrame(kind: .link, outputStart: output.count, inputStart: position))
            return
        }
        guard stack.count < Self.maximumDepth, let urlEnd = externalLinkURLEnd(from: position + 1) else {
            output.append(WikitextByte.openBracket)
            position += 1
            return
        }
        position = urlEnd
        while position < input.count && WikitextByte.isHorizontalSpace(input[position]) { position += 1 }
        push(WikitextFrame(kind: .externalLink, outputStart: output.count, inputStart: position))
    }

    /// `]` closes an external link; `]]` the nearest link, looking through external links and
    /// language conversions only.
    mutating func closeBrackets() {
        let run = runLength(of: WikitextByte.closeBracket, from: position)
        let runStart = position
        position += run
        var remaining = run
        while remaining > 0 {
            if let top = stack.last, top.kind == .externalLink {
                stack.removeLast()
                if output.count <= top.outputStart { markRemoval() } // `[http://x]` renders as "[1]"
                remaining -= 1
                continue
            }
            guard remaining >= 2, let index = nearestLinkIndex() else { break }
            abandonFrames(above: index)
            let link = stack.removeLast()
            let closer = runStart + (run - remaining)
            finishLink(link, targetEnd: link.pipeInput >= 0 ? link.pipeInput : closer)
            remaining -= 2
        }
        if remaining == 1 { output.append(WikitextByte.closeBracket) } // a stray `]]` is dropped
    }

    private func nearestLinkIndex() -> Int? {
        var index = stack.count - 1
        while index >= 0 {
            switch stack[index].kind {
            case .link: return index
            case .externalLink, .languageConversion: index -= 1
            case .braces, .table: return nil
            }
        }
        return nil
    }

    /// What survives of a link that has been popped: its label (after `|`), its target, or
    /// nothing for media, category and interlanguage links.
    mutating func finishLink(_ link: WikitextFrame, targetEnd: Int) {
        let target = link.pipeInput >= 0 ? link.target : classifyLinkTarget(from: link.inputStart, to: targetEnd)
        switch target {
        case .removed:
            output.truncate(to: link.outputStart)
            markRemoval()
        case .leadingColon where link.pipeInput < 0:
            // `[[:Category:X]]` displays "Category:X".
            var p = link.outputStart
            while p < output.count && output[p] == WikitextByte.space { p += 1 }
            if p < output.count && output[p] == WikitextByte.colon { output.remove(at: p, length: 1) }
        case .normal, .leadingColon:
            break
        }
    }

    /// Classifies `input[start..<end]`, a link target, by its namespace or interwiki prefix.
    func classifyLinkTarget(from start: Int, to end: Int) -> WikitextLinkTarget {
        var start = start
        while start < end && (WikitextByte.isHorizontalSpace(input[start]) || input[start] == WikitextByte.underscore) {
            start += 1
        }
        guard start < end else { return .normal }
        if input[start] == WikitextByte.colon { return .leadingColon }
        let limit = min(end, start + 64) // longer prefixes are no namespace
        guard let colon = index(of: WikitextByte.colon, from: start, to: limit) else { return .normal }
        let prefix = UnsafeBufferPointer(rebasing: input[start..<colon])
        let name = WikitextCleaner.Options.normalizedASCIIName(prefix)
            ?? WikitextCleaner.Options.normalizedName(String(decoding: prefix, as: UTF8.self))
        guard !name.isEmpty else { return .normal }
        if options.fileNamespaces.contains(name) || options.categoryNamespaces.contains(name)
            || options.interlanguagePrefixes.contains(name) {
            return .removed
        }
        return .normal
    }

    /// The end of the URL of an external link starting at `start` (just after `[`), or nil when
    /// no recognised scheme starts there.
    func externalLinkURLEnd(from start: Int) -> Int? {
        guard let schemeLength = WikitextURLSchemes.schemeLength(in: input, at: start) else { return nil }
        var end = start + schemeLength
        while end < input.count && !WikitextURLSchemes.endsURL(input[end]) { end += 1 }
        return end > start + schemeLength ? end : nil
    }
}

enum WikitextLinkTarget {
    /// An article (or other page): the link shows its label or its target.
    case normal
    /// `[[:Category:X]]`, `[[:File:Y|label]]`: a visible link to a page that would otherwise be
    /// a category or an embedded file.
    case leadingColon
    /// Media, category and interlanguage links: not part of the text.
    case removed
}
