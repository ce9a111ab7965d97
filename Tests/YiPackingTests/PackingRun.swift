import YiCore
import YiPacking

/// One packing run over documents of given lengths, recorded so that tests can check every
/// promise the packer makes (see `problems`).
struct PackingRun {
    let options: PackingOptions
    let documents: [[TokenID]]
    private(set) var output: [BucketedSequence] = []
    private(set) var statistics: PackingStatistics
    /// Violations of the configured state bounds seen after an `add`.
    private(set) var boundViolations: [String] = []

    static let eos: TokenID = 2

    /// Document `ordinal`: recognisable tokens (never the pad id 0 nor EOS) ending with EOS.
    static func document(ordinal: Int, length: Int) -> [TokenID] {
        (0..<length).map { j in
            j == length - 1 ? eos : 3 + TokenID(truncatingIfNeeded: (ordinal &* 7919 &+ j) % 60_000)
        }
    }

    static func sourceIndex(ordinal: Int) -> Int { ordinal % 3 }

    init(lengths: [Int], options: PackingOptions) throws {
        let packer = try Packer(options: options)
        self.options = packer.options
        documents = lengths.enumerated().map { Self.document(ordinal: $0.offset, length: $0.element) }
        statistics = packer.statistics
        for (ordinal, tokens) in documents.enumerated() {
            output += packer.add(tokens: tokens, ordinal: ordinal, sourceIndex: Self.sourceIndex(ordinal: ordinal))
            checkBounds(packer.state, after: ordinal)
        }
        output += packer.finish()
        statistics = packer.statistics
    }

    private mutating func checkBounds(_ state: PackerState, after ordinal: Int) {
        let largest = options.lengths.last!
        switch options.strategy {
        case .bestFit(window: .documents(let limit)):
            if state.pendingDocuments >= limit { boundViolations.append("doc \(ordinal): \(state.pendingDocuments) pending") }
        case .bestFit(window: .tokens(let limit)):
            if state.pendingTokens >= limit { boundViolations.append("doc \(ordinal): \(state.pendingTokens) tokens pending") }
        case .concat:
            if state.pendingDocuments != 0 { boundViolations.append("doc \(ordinal): concat holds pending documents") }
        }
        let maxOpen: Int
        if case .concat = options.strategy { maxOpen = 1 } else { maxOpen = options.maxOpenSequences }
        if state.openSequences.contains(where: { $0 > maxOpen }) {
            boundViolations.append("doc \(ordinal): open sequences \(state.openSequences) > \(maxOpen)")
        }
        if state.openTokens > options.lengths.count * maxOpen * largest {
            boundViolations.append("doc \(ordinal): \(state.openTokens) tokens in open sequences")
        }
    }

    /// The smallest bucket index a document of `length` tokens fits (the largest for long ones).
    func home(ofLength length: Int) -> Int {
        options.lengths.firstIndex { length <= $0 } ?? options.lengths.count - 1
    }

    var isConcat: Bool { options.strategy == .concat }

    /// Everything wrong with the run; empty when the packer kept all its promises.
    func problems() -> [String] {
        var problems = boundViolations
        let lengths = options.lengths
        let largest = lengths.last!
        // Per document: (part, bucket index, tokens, isDocumentEnd) of each of its spans.
        var pieces: [[(part: Int, bucket: Int, tokens: ArraySlice<TokenID>, isEnd: Bool)]] =
            Array(repeating: [], count: documents.count)
        var expected = PackingStatistics(lengths: lengths)
        var lastPaddedIndex: [Int: Int] = [:]

        for (index, item) in output.enumerated() {
            let sequence = item.sequence
            guard let bucket = lengths.firstIndex(of: item.bucketLength) else {
                problems.append("sequence \(index): unknown bucket length \(item.bucketLength)")
                continue
            }
            if sequence.tokens.count != item.bucketLength {
                problems.append("sequence \(index): \(sequence.tokens.count) tokens, bucket \(item.bucketLength)")
                continue
            }
            var offset = 0
            var ownBucketSpan = false
            for (k, span) in sequence.spans.enumerated() {
                if span.offset != offset || span.length < 1 || offset + span.length > item.bucketLength {
                    problems.append("sequence \(index) span \(k): offset \(span.offset) length \(span.length), expected offset \(offset)")
                    break
                }
                if k > 0, (sequence.spans[k - 1].documentOrdinal, sequence.spans[k - 1].part) >= (span.documentOrdinal, span.part) {
                    problems.append("sequence \(index) span \(k): spans not in input order")
                }
                guard documents.indices.contains(span.documentOrdinal) else {
                    problems.append("sequence \(index) span \(k): unknown ordinal \(span.documentOrdinal)")
                    break
                }
                if span.sourceIndex != Self.sourceIndex(ordinal: span.documentOrdinal) {
                    problems.append("sequence \(index) span \(k): wrong source index")
                }
                let documentLength = documents[span.documentOrdinal].count
                if home(ofLength: documentLength) == bucket || documentLength > largest { ownBucketSpan = true }
                pieces[span.documentOrdinal].append((span.part, bucket, sequence.tokens[offset..<(offset + span.length)], span.isDocumentEnd))
                offset += span.length
            }
            if sequence.tokens[offset...].contains(where: { $0 != options.padID }) {
                problems.append("sequence \(index): a token after the spans is not the pad id")
            }
            if !isConcat && !ownBucketSpan && !sequence.spans.isEmpty {
                problems.append("sequence \(index): opened by a document from a shorter bucket")
            }
            if offset < item.bucketLength { lastPaddedIndex[bucket] = index }
            expected.buckets[bucket].sequences += 1
            expected.buckets[bucket].documentTokens += offset
            expected.buckets[bucket].padTokens += item.bucketLength - offset
            expected.buckets[bucket].spans += sequence.spans.count
            expected.buckets[bucket].documentEnds += sequence.spans.filter(\.isDocumentEnd).count
            var histogram = expected.buckets[bucket].spansPerSequence
            while histogram.count <= sequence.spans.count { histogram.append(0) }
            histogram[sequence.spans.count] += 1
            expected.buckets[bucket].spansPerSequence = histogram
        }
        if isConcat {
            // Zero padding except in the last sequence of each bucket.
            for (bucket, index) in lastPaddedIndex
            where output[(index + 1)...].contains(where: { $0.bucketLength == lengths[bucket] }) {
                problems.append("concat: padded sequence \(index) is not the last of bucket \(lengths[bucket])")
            }
        }

        var missingTokens = 0
        var crossFilledOut = Array(repeating: 0, count: lengths.count)
        for (ordinal, document) in documents.enumerated() {
            let found = pieces[ordinal].sorted { $0.part < $1.part }
            let isLong = document.count > largest
            expected.documents += 1
            expected.documentTokens += document.count
            if document.isEmpty { expected.emptyDocuments += 1 }
            if isLong && options.longDocuments == .drop {
                expected.buckets[lengths.count - 1].droppedLongDocuments += 1
                expected.buckets[lengths.count - 1].droppedLongTokens += document.count
                if !found.isEmpty { problems.append("document \(ordinal): dropped but present") }
                continue
            }
            if document.isEmpty {
                if !found.isEmpty { problems.append("document \(ordinal): empty but present") }
                continue
            }
            let home = home(ofLength: document.count)
            expected.buckets[home].routedDocuments += 1
            expected.buckets[home].routedTokens += document.count
            if isLong { expected.buckets[home].splitDocuments += 1 }
            if found.map(\.part) != Array(0..<found.count) {
                problems.append("document \(ordinal): parts \(found.map(\.part))")
                continue
            }
            let reassembled = Array(found.map(\.tokens).joined())
            let mayBeTruncated = isConcat && options.concatRemainder == .drop
            if reassembled != document && !(mayBeTruncated && document.starts(with: reassembled)) {
                problems.append("document \(ordinal): \(reassembled.count) tokens reassembled, \(document.count) given, or different")
                continue
            }
            missingTokens += document.count - reassembled.count
            // A truncated document lost exactly one span: its part in the dropped remainder.
            if isLong { expected.buckets[home].chunks += found.count + (reassembled.count < document.count ? 1 : 0) }
            // Cut at a boundary: several spans, or a surviving prefix of a dropped remainder.
            if isConcat && !isLong && (found.count > 1 || (!found.isEmpty && reassembled.count < document.count)) {
                expected.buckets[home].cutDocuments += 1
            }
            if reassembled.count == document.count,
               found.enumerated().contains(where: { $0.element.isEnd != ($0.offset == found.count - 1) }) {
                problems.append("document \(ordinal): isDocumentEnd not exactly on the last part")
            }
            for piece in found where piece.bucket != home {
                if isConcat || !options.crossFill || isLong || piece.bucket < home {
                    problems.append("document \(ordinal) (home \(lengths[home])) placed in bucket \(lengths[piece.bucket])")
                }
                crossFilledOut[home] += piece.tokens.count
                expected.buckets[piece.bucket].crossFilledDocuments += 1
                expected.buckets[piece.bucket].crossFilledTokens += piece.tokens.count
            }
            if !isConcat && !isLong && found.count != 1 {
                problems.append("document \(ordinal): best-fit split a document that fits a bucket")
            }
            if isLong && !isConcat {
                for piece in found.dropLast() where piece.tokens.count != largest {
                    problems.append("document \(ordinal): chunk \(piece.part) has \(piece.tokens.count) tokens")
                }
            }
        }
        for bucket in lengths.indices
        where Double(crossFilledOut[bucket]) > options.crossFillLimit * Double(expected.buckets[bucket].routedTokens) {
            problems.append("bucket \(lengths[bucket]) gave \(crossFilledOut[bucket]) tokens to longer buckets, over the limit")
        }
        if missingTokens != statistics.buckets.reduce(0, { $0 + $1.droppedRemainderTokens }) {
            problems.append("\(missingTokens) document tokens missing, \(statistics.buckets.map(\.droppedRemainderTokens)) declared")
        }
        for bucket in lengths.indices { expected.buckets[bucket].droppedRemainderTokens = statistics.buckets[bucket].droppedRemainderTokens }
        if expected != statistics {
            problems.append("statistics differ:\n  reported \(statistics)\n  computed \(expected)")
        }
        return problems
    }
}
