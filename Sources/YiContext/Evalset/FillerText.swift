import YiCore

/// The haystack text of an evaluation prompt: a pool of Unicode scalars read cyclically (position p
/// is `scalars[p mod count]`, so any length can be cut from a small pool), with the sentence and
/// word starts where a needle or a cut looks natural.
public struct FillerText: Sendable {
    public let scalars: [Unicode.Scalar]
    /// Positions just after sentence-ending punctuation and its whitespace, or after a CJK full stop.
    let sentenceStarts: [Int]
    /// Positions just after whitespace.
    let wordStarts: [Int]
    /// Where the text came from, for the user.
    public let origin: String

    /// Joins documents with a blank line, after `normalize`. Empty documents are ignored.
    public init(documents: [String], origin: String) throws {
        var scalars: [Unicode.Scalar] = []
        for document in documents {
            let normalized = Self.normalize(document)
            if normalized.isEmpty { continue }
            if !scalars.isEmpty { scalars.append(contentsOf: "\n\n".unicodeScalars) }
            scalars.append(contentsOf: normalized)
        }
        guard scalars.contains(where: { !$0.properties.isWhitespace }) else {
            throw YiError(.usage, "filler text \(origin) is empty")
        }
        // The pool is read cyclically: end it with a paragraph break (a space for one-line text such
        // as the pass-key sentences) so the wrap is a sentence start.
        scalars.append(contentsOf: (scalars.contains("\n") ? "\n\n" : " ").unicodeScalars)
        self.scalars = scalars
        self.origin = origin
        (sentenceStarts, wordStarts) = Self.boundaries(of: scalars)
    }

    /// Chapter I of *Alice's Adventures in Wonderland* (public domain), cut from `BuiltinBook`
    /// without the rows of asterisks that close it.
    public static func builtinProse() -> FillerText {
        let book = BuiltinBook.aliceInWonderland
        var chapter = book[..<book.range(of: "\nCHAPTER II.")!.lowerBound]
        while let last = chapter.last, last == "*" || last == " " || last == "\n" { chapter.removeLast() }
        return try! FillerText(documents: [String(chapter)], origin: "built-in: Alice's Adventures in Wonderland, chapter I (public domain)")
    }

    /// The whole of *Alice's Adventures in Wonderland* (public domain), see `BuiltinBook`: a
    /// haystack of up to about 36K Yi tokens without repeating itself.
    public static func builtinBook() -> FillerText {
        try! FillerText(documents: [BuiltinBook.aliceInWonderland], origin: "built-in: Alice's Adventures in Wonderland, the whole book (public domain)")
    }

    /// The classic pass-key filler sentences (Mohtashami & Jaggi 2023), for `--kind passkey`.
    public static func passkeyClassic() -> FillerText {
        try! FillerText(documents: [BuiltinFiller.passkeyGarbage + " "], origin: "built-in: the classic pass-key filler sentences")
    }

    public var count: Int { scalars.count }

    @inline(__always) func scalar(at position: Int) -> Unicode.Scalar {
        let n = scalars.count
        return scalars[((position % n) + n) % n]
    }

    /// The text of cyclic positions `start..<end`.
    func text(_ start: Int, _ end: Int) -> String {
        var view = String.UnicodeScalarView()
        guard end > start else { return "" }
        var position = start
        while position < end {
            view.append(scalar(at: position))
            position += 1
        }
        return String(view)
    }

    /// Whether cyclic `position` is a sentence start.
    func isSentenceStart(_ position: Int) -> Bool {
        let n = scalars.count
        let local = ((position % n) + n) % n
        var low = 0, high = sentenceStarts.count
        while low < high {
            let mid = (low + high) / 2
            if sentenceStarts[mid] < local { low = mid + 1 } else { high = mid }
        }
        return low < sentenceStarts.count && sentenceStarts[low] == local
    }

    /// The boundary nearest to `position` (cyclic coordinates), preferring sentence starts, then
    /// word starts, within `tolerance` scalars and inside `lower...upper` when given; `position`
    /// itself when there is none.
    func snap(_ position: Int, tolerance: Int, notBefore lower: Int? = nil, notAfter upper: Int? = nil) -> Int {
        for starts in [sentenceStarts, wordStarts] {
            if let best = nearest(in: starts, to: position, tolerance: tolerance, lower: lower, upper: upper) { return best }
        }
        return position
    }

    private func nearest(in starts: [Int], to position: Int, tolerance: Int, lower: Int?, upper: Int?) -> Int? {
        let n = scalars.count, m = starts.count
        let cycle = position >= 0 ? position / n : -((-position + n - 1) / n)
        let local = position - cycle * n
        var low = 0, high = m
        while low < high {  // first start ≥ local
            let mid = (low + high) / 2
            if starts[mid] < local { low = mid + 1 } else { high = mid }
        }
        var best: Int?
        for k in (low - 2)...(low + 1) {  // neighbours, wrapping into the adjacent cycles
            let wraps = k >= 0 ? k / m : -((-k + m - 1) / m)
            let candidate = (cycle + wraps) * n + starts[k - wraps * m]
            guard abs(candidate - position) <= tolerance else { continue }
            if let lower, candidate < lower { continue }
            if let upper, candidate > upper { continue }
            if best.map({ abs(candidate - position) < abs($0 - position) }) ?? true { best = candidate }
        }
        return best
    }

    /// BOM removed, CRLF and CR to LF, other control characters (ANSI escapes, NUL) to spaces.
    static func normalize(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\u{FEFF}": continue
            case "\r": out.append("\n")
            case "\n": if !previousWasCR { out.append("\n") }
            case "\t": out.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { out.append(" ") } else { out.append(scalar) }
            }
        }
        while let last = out.last, last.properties.isWhitespace { out.removeLast() }
        while let first = out.first, first.properties.isWhitespace { out.removeFirst() }
        return out
    }

    private static let sentenceEnders: Set<Unicode.Scalar> = [".", "!", "?", "…"]
    private static let closers: Set<Unicode.Scalar> = ["\"", "'", "’", "”", ")", "]", "»", "」", "』", "）"]
    private static let cjkEnders: Set<Unicode.Scalar> = ["。", "！", "？", "；"]

    static func boundaries(of scalars: [Unicode.Scalar]) -> (sentences: [Int], words: [Int]) {
        var sentences = [0], words = [0]
        var index = 1
        while index < scalars.count {
            let previous = scalars[index - 1], current = scalars[index]
            if previous.properties.isWhitespace, !current.properties.isWhitespace {
                words.append(index)
                // Walk back over the whitespace and closing quotes to the punctuation.
                var back = index - 1
                while back > 0, scalars[back].properties.isWhitespace { back -= 1 }
                let paragraph = scalars[back + 1..<index].filter { $0 == "\n" }.count >= 2
                while back > 0, closers.contains(scalars[back]) { back -= 1 }
                if paragraph || sentenceEnders.contains(scalars[back]) || cjkEnders.contains(scalars[back]) {
                    sentences.append(index)
                }
            } else if cjkEnders.contains(previous), !current.properties.isWhitespace, !closers.contains(current) {
                sentences.append(index)
                words.append(index)
            }
            index += 1
        }
        return (sentences, words)
    }
}

/// Occurrence counting over Unicode scalars (no Foundation).
enum ScalarSearch {
    static func count(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var found = 0
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { found += 1 }
            index += 1
        }
        return found
    }
}
