import YiCore

/// Builds a prompt `header + before + needle + after + question` whose token count, measured by
/// encoding the whole final string, is exactly the target.
///
/// BPE counts are not additive across concatenation (pieces merge across a cut), so the haystack is
/// never sized by adding up per-part counts. Instead: the haystack starts at a sentence start (the
/// anchor) of the cyclic filler, so the text after the header never begins mid-sentence; the text
/// before the needle is fixed first, sized in tokens to put the needle at the requested depth and
/// ended at a sentence (or word) start when one is close, where the needle goes; the end of the
/// text after the needle is then cut at scalar precision and its length searched (gallop,
/// bisection, then a short local scan) until the whole prompt encodes to exactly the target. At
/// depth ≈ 1 nothing follows the needle, so the end of the text before it is the cut instead.
/// Only that one end moves during the search, so the count changes by about one piece per
/// scalar and an exact cut practically always exists. Where it does not (a run of byte-fallback
/// characters adds 3–4 tokens per scalar), the caller retries at another anchor; the prompt is never
/// longer than the target and at most `maximumShortfall` tokens shorter.
struct PromptFitter {
    /// The most tokens a prompt may fall short of its target (only when no exact cut is found).
    static let maximumShortfall = 8

    let tokenizer: TextTokenizer
    let filler: FillerText

    struct Fit {
        var prompt: String
        var tokenCount: Int
        /// Tokens of `header + before` (the needle's token position), of the template alone
        /// (header + needle + question), and of the header.
        var needleTokenOffset: Int
        var templateTokens: Int
        var headerTokens: Int
        /// Encoder calls used (for tests and tuning).
        var encodeCalls: Int
    }

    func fit(_ problem: EvalProblem, target: Int, depth: Double, anchor: Int) throws -> Fit {
        var session = Session(tokenizer: tokenizer)
        let templateTokens = session.count(problem.header + problem.needle + problem.question)
        guard templateTokens < target else {
            throw YiError(.usage, "target length \(target) is too short: the question template alone takes \(templateTokens) tokens")
        }
        let budget = target - templateTokens
        let sample = filler.text(anchor - 2048, anchor + 2048)
        let charactersPerToken = max(0.05, Double(sample.unicodeScalars.count) / Double(max(1, session.count(sample))))

        // The haystack starts at the anchor, a sentence start of the filler. Normally the text
        // before the needle is fixed (sized in tokens for the depth, the needle then placed at a
        // sentence or word start) and the end of the text after the needle is the free cut. When
        // almost nothing should follow the needle (depth ≈ 1), the needle goes right before the
        // question and the free cut is the end of the text before it.
        let start = anchor
        let afterWanted = Int(((1 - depth) * Double(budget)).rounded())
        let needleAtEnd = afterWanted < max(12, budget / 60)
        let fixedTokens = needleAtEnd ? 0 : Int((depth * Double(budget)).rounded())
        let fixedLength = fixedSideLength(tokens: fixedTokens, budget: budget, charactersPerToken: charactersPerToken,
                                          anchor: start, extendsForward: true, session: &session)
        let needlePoint = start + fixedLength
        let fixedText = filler.text(start, needlePoint)
        var separator = separatorBefore(needlePoint)
        if separator.isEmpty, !filler.isSentenceStart(needlePoint) { separator = " " }

        func assemble(_ free: Int) -> (prompt: String, head: String) {
            let before = needleAtEnd ? filler.text(start, start + free) : fixedText
            let after = needleAtEnd ? "" : filler.text(needlePoint, needlePoint + free)
            let head = problem.header + before
            let joint = before.isEmpty || before.unicodeScalars.last!.properties.isWhitespace ? "" : (needleAtEnd ? " " : separator)
            let tail = after.isEmpty ? "" : separator + after
            return (head + joint + problem.needle + tail + problem.question, head)
        }
        var counts: [Int: Int] = [:]
        func tokens(_ free: Int) -> Int {
            if let known = counts[free] { return known }
            let value = session.count(assemble(free).prompt)
            counts[free] = value
            return value
        }

        // Bracket tokens(low) ≤ target < tokens(high), then bisect.
        var low = 0
        guard tokens(0) <= target else {
            throw YiError(.usage, "target length \(target) is too short for a haystack at depth \(depth)")
        }
        var high = max(1, Int(Double(target - tokens(0)) * charactersPerToken))
        let ceiling = (target + 64) * 64
        while tokens(high) <= target {
            low = high
            high += max(16, Int(Double(target - tokens(high)) * charactersPerToken * 1.5))
            guard high < ceiling else {
                throw YiError(.tokenizer, "the tokenizer gives too few tokens for the filler text to reach \(target) tokens")
            }
        }
        while high - low > 1 {
            let middle = (low + high) / 2
            if tokens(middle) <= target { low = middle } else { high = middle }
        }
        var chosen = low
        if tokens(low) != target {
            // The count jumps over the target at this cut: look for an exact cut nearby.
            scan: for distance in 1...24 {
                for candidate in [low - distance, high + distance - 1] where candidate >= 0 {
                    if tokens(candidate) == target { chosen = candidate; break scan }
                }
            }
        }
        let final = tokens(chosen)
        guard final <= target, target - final <= Self.maximumShortfall else {
            throw YiError(.tokenizer, "could not fit a prompt to \(target) tokens (closest: \(final))")
        }
        let (prompt, head) = assemble(chosen)
        let needleTokenOffset = session.count(head)
        let headerTokens = session.count(problem.header)
        return Fit(prompt: prompt, tokenCount: final, needleTokenOffset: needleTokenOffset, templateTokens: templateTokens,
                   headerTokens: headerTokens, encodeCalls: session.calls)
    }

    /// Scalars of filler on the fixed side so that it holds about `tokens` tokens: a bracketed
    /// interpolation search on the length (robust where characters per token vary, as in mixed
    /// prose, code and CJK), then the end moved to a sentence or word start if that keeps the count
    /// within 1% of the haystack.
    private func fixedSideLength(tokens want: Int, budget: Int, charactersPerToken: Double, anchor: Int,
                                 extendsForward: Bool, session: inout Session) -> Int {
        guard want > 0 else { return 0 }
        func text(_ length: Int) -> String {
            extendsForward ? filler.text(anchor, anchor + length) : filler.text(anchor - length, anchor)
        }
        let accept = max(2, budget / 200)
        var low = (length: 0, tokens: 0)
        var high: (length: Int, tokens: Int)?
        var length = max(1, Int(Double(want) * charactersPerToken))
        for _ in 0..<32 {
            let measured = session.count(text(length))
            if abs(measured - want) <= accept { break }
            if measured < want { low = (length, measured) } else { high = (length, measured) }
            if let high {
                guard high.length - low.length > 1 else { break }
                // Interpolate, kept off the bracket's ends so it shrinks by at least an eighth.
                let guess = low.length + Int(Double(high.length - low.length) * Double(want - low.tokens) / Double(max(1, high.tokens - low.tokens)))
                let margin = max(1, (high.length - low.length) / 8)
                length = min(max(guess, low.length + margin), high.length - margin)
            } else {
                length = max(length + 1, Int(Double(length) * Double(want) / Double(max(1, measured)) * 1.25))
            }
        }
        let tolerance = max(4, Int(Double(budget) * charactersPerToken * 0.01))
        let outer = extendsForward ? anchor + length : anchor - length
        let snapped = abs(filler.snap(outer, tolerance: tolerance,
                                      notBefore: extendsForward ? anchor + 1 : nil,
                                      notAfter: extendsForward ? nil : anchor - 1) - anchor)
        if snapped != length, abs(session.count(text(snapped)) - want) <= max(accept, budget / 100) { return snapped }
        return length
    }

    /// The whitespace that precedes the anchor in the filler (a space, a paragraph break, or nothing
    /// after a CJK full stop), so the needle joins the text the way the next sentence did.
    private func separatorBefore(_ anchor: Int) -> String {
        var start = anchor
        while anchor - start < 4, filler.scalar(at: start - 1).properties.isWhitespace { start -= 1 }
        return filler.text(start, anchor)
    }

    /// Counts tokens and encoder calls.
    private struct Session {
        let tokenizer: TextTokenizer
        var calls = 0

        mutating func count(_ text: String) -> Int {
            calls += 1
            return tokenizer.encode(text).count
        }
    }
}
