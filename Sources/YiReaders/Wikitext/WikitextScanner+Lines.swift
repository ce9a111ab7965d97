/// Line structure: line-start markup (lists, headings, tables, rules), line ends, blank lines.
extension WikitextScanner {
    mutating func newline() {
        abandonFramesAtLineBreak()
        finishHeading()
        endOutputLine()
        position += 1
        startLine()
    }

    /// External links never span lines; a link does not span a line before its `|`, nor a
    /// blank line after it.
    private mutating func abandonFramesAtLineBreak() {
        while let top = stack.last {
            switch top.kind {
            case .externalLink:
                abandonTop()
            case .link where top.pipeInput < 0 || nextLineIsBlank():
                abandonTop()
            default:
                return
            }
        }
    }

    private func nextLineIsBlank() -> Bool {
        var p = position + 1
        while p < input.count && WikitextByte.isHorizontalSpace(input[p]) { p += 1 }
        return p >= input.count || input[p] == WikitextByte.newline
    }

    /// Ends the output line: trailing spaces go; a line emptied by removed markup goes with its
    /// newline; a blank source line stays as one paragraph break.
    private mutating func endOutputLine() {
        output.trimTrailingSpaces(floor: stack.last?.outputStart ?? 0)
        definitionTermDepth = -1
        defer { lineHadMarkup = false }
        guard !output.isEmpty else { return }
        if output.last == WikitextByte.newline && (lineHadMarkup || output.endsWithBlankLine) { return }
        output.append(WikitextByte.newline)
    }

    /// Reads the markup a line may start with; `position` is at the line's first byte.
    mutating func startLine() {
        lineStart = position
        let end = input.count
        var p = position
        while p < end && WikitextByte.isHorizontalSpace(input[p]) { p += 1 }
        var sawListMarker = false
        while p < end {
            let byte = input[p]
            guard byte == UInt8(ascii: "*") || byte == WikitextByte.hash || byte == WikitextByte.colon
                || byte == WikitextByte.semicolon else { break }
            if byte == WikitextByte.semicolon { definitionTermDepth = stack.count }
            sawListMarker = true
            p += 1
        }
        if sawListMarker {
            lineHadMarkup = true
            while p < end && WikitextByte.isHorizontalSpace(input[p]) { p += 1 }
        }
        position = p
        guard p + 1 < end else { return }
        let byte = input[p], next = input[p + 1]
        if byte == WikitextByte.openBrace && next == WikitextByte.pipe {
            openTable()
        } else if byte == WikitextByte.pipe && next == WikitextByte.closeBrace {
            _ = closeTable()
        } else if sawListMarker {
            return
        } else if byte == WikitextByte.equals {
            startHeading()
        } else if hasPrefix("----", at: p) {
            position = p + runLength(of: WikitextByte.hyphen, from: p)
            markRemoval()
        }
    }

    // MARK: - Tables

    private mutating func openTable() {
        position += 2
        guard stack.count < Self.maximumDepth else { return }
        push(WikitextFrame(kind: .table, outputStart: output.count, inputStart: position))
    }

    /// `|}` at a line start closes the nearest table unless a template or a table-less context
    /// is nearer (then the `|` is a template's parameter separator: `|}}`).
    private mutating func closeTable() -> Bool {
        var index = stack.count - 1
        while index >= 0 && stack[index].isWeak { index -= 1 }
        guard index >= 0, stack[index].kind == .table else { return false }
        abandonFrames(above: index)
        let table = stack.removeLast()
        output.truncate(to: table.outputStart)
        markRemoval()
        position += 2
        return true
    }

    // MARK: - Headings

    private mutating func startHeading() {
        let level = runLength(of: WikitextByte.equals, from: position)
        if stack.isEmpty { dropEmptySections(endingAtLevel: level) }
        position += level
        let spaced = position < input.count && WikitextByte.isHorizontalSpace(input[position])
        heading = WikitextHeading(level: level, depth: stack.count, outputStart: output.count, spaced: spaced)
    }

    /// At the heading line's end: drops the closing `=` run. Unbalanced runs keep their extra
    /// `=` as text, as MediaWiki does (`=== A ==` is a level-2 heading "= A"); a line that does
    /// not end in `=` was no heading and gets its leading `=` back.
    mutating func finishHeading() {
        guard let heading else { return }
        self.heading = nil
        guard heading.depth == stack.count, output.count >= heading.outputStart else { return }
        output.trimTrailingSpaces(floor: heading.outputStart)
        var closing = 0
        while output.count - closing > heading.outputStart
            && output[output.count - 1 - closing] == WikitextByte.equals {
            closing += 1
        }
        guard closing > 0 else {
            if heading.spaced { output.insert(repeating: WikitextByte.space, count: 1, at: heading.outputStart) }
            output.insert(repeating: WikitextByte.equals, count: heading.level, at: heading.outputStart)
            return
        }
        let level = min(heading.level, closing)
        output.truncate(to: output.count - level)
        output.trimTrailingSpaces(floor: heading.outputStart)
        if heading.level > level {
            if heading.spaced { output.insert(repeating: WikitextByte.space, count: 1, at: heading.outputStart) }
            output.insert(repeating: WikitextByte.equals, count: heading.level - level, at: heading.outputStart)
        }
        if output.count == heading.outputStart {
            markRemoval()
        } else if stack.isEmpty {
            emptySections.append(WikitextSection(level: level, start: heading.outputStart, end: output.count))
        }
    }

    /// Drops the headings of sections that ended without any text (`== References ==` over a
    /// removed `<references/>`): those at `level` or deeper, at a new heading of that level or
    /// at the end of the page.
    mutating func dropEmptySections(endingAtLevel level: Int) {
        guard let last = emptySections.last else { return }
        var p = last.end
        while p < output.count {
            let byte = output[p]
            guard byte == WikitextByte.newline || byte == WikitextByte.space || byte == WikitextByte.tab else {
                emptySections.removeAll() // text since the last heading: every open section has some
                return
            }
            p += 1
        }
        var cut = -1
        while let section = emptySections.last, section.level >= level {
            cut = section.start
            emptySections.removeLast()
        }
        if cut >= 0 { output.truncate(to: cut) }
    }
}
