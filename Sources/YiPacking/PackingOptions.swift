import YiCore

/// How the packer turns documents into fixed-length sequences (see `Packer` for the rules).
public struct PackingOptions: Sendable, Equatable {
    /// How documents are arranged inside a bucket's sequences.
    public enum Strategy: Sendable, Equatable {
        /// Best-fit decreasing over a bounded window of pending documents: whole documents,
        /// never split unless longer than the largest bucket; the rest of a sequence is padding.
        case bestFit(window: Window)
        /// Documents concatenated in input order and cut at exactly the bucket length: no
        /// padding except in the last sequence, documents cut at sequence boundaries.
        case concat
    }

    /// How many pending documents best-fit collects before it places them.
    public enum Window: Sendable, Equatable {
        /// A placement round starts when this many documents (or chunk tails) are pending.
        case documents(Int)
        /// A placement round starts when the pending documents hold this many tokens.
        case tokens(Int)
    }

    /// What happens to a document longer than the largest bucket.
    public enum LongDocuments: String, Sendable, Equatable, CaseIterable {
        /// Cut into chunks of the largest bucket's length; the last, shorter chunk stays in
        /// the largest bucket so the document's pieces train together.
        case split
        /// Dropped and counted (`dropped-long-documents`).
        case drop
    }

    /// What `concat` does with the last, partly filled sequence of a bucket at `finish()`.
    public enum ConcatRemainder: String, Sendable, Equatable, CaseIterable {
        /// Emitted, padded with the pad id.
        case pad
        /// Dropped and counted (`dropped-remainder-tokens`).
        case drop
    }

    /// Default best-fit window, in sequences of the largest bucket (64 × 16384 = 1 Mi tokens,
    /// 4 MiB): each placement round then sees a few hundred typical documents to fill gaps with.
    public static let defaultWindowSequences = 64
    /// Default for `maxOpenSequences`.
    public static let defaultMaxOpenSequences = 64

    /// Bucket lengths in tokens (sorted ascending by `validated()`), e.g. [8192, 16384].
    public var lengths: [Int]
    public var strategy: Strategy
    /// Shorter documents may also fill the space left in longer buckets' sequences (best-fit
    /// only). They never open a sequence in a longer bucket; see `crossFillLimit`.
    public var crossFill: Bool
    /// At most this fraction of the tokens routed to a bucket may be placed into longer buckets'
    /// sequences, so cross-filling can never starve a short bucket (0...1).
    public var crossFillLimit: Double
    public var longDocuments: LongDocuments
    /// Token written after the last span of a sequence (Yi pads with 0, `<unk>`).
    public var padID: TokenID
    /// Best-fit: sequences per bucket kept open between placement rounds; beyond it the
    /// fullest are closed (padded). Bounds memory together with the window.
    public var maxOpenSequences: Int
    public var concatRemainder: ConcatRemainder

    /// A nil `strategy` means best-fit with the default window (`defaultWindowSequences`
    /// sequences of the largest bucket, counted in tokens).
    public init(lengths: [Int],
                strategy: Strategy? = nil,
                crossFill: Bool = true,
                crossFillLimit: Double = 0.5,
                longDocuments: LongDocuments = .split,
                padID: TokenID = 0,
                maxOpenSequences: Int = PackingOptions.defaultMaxOpenSequences,
                concatRemainder: ConcatRemainder = .pad) {
        self.lengths = lengths
        self.strategy = strategy ?? PackingOptions.defaultBestFit(lengths: lengths)
        self.crossFill = crossFill
        self.crossFillLimit = crossFillLimit
        self.longDocuments = longDocuments
        self.padID = padID
        self.maxOpenSequences = maxOpenSequences
        self.concatRemainder = concatRemainder
    }

    /// Best-fit with the default window for these bucket lengths.
    /// A length above Int32.max is clamped (`validated()` refuses it) so that the product cannot
    /// overflow before the options are checked.
    public static func defaultBestFit(lengths: [Int]) -> Strategy {
        let largest = min(max(1, lengths.max() ?? 1), Int(Int32.max))
        return .bestFit(window: .tokens(defaultWindowSequences * largest))
    }

    /// The options with lengths sorted ascending, or a `.usage` error naming what is wrong.
    public func validated() throws -> PackingOptions {
        func fail(_ message: String) -> YiError { YiError(.usage, "packing: " + message) }
        guard !lengths.isEmpty else { throw fail("at least one sequence length is needed") }
        // Megatron's .idx stores sequence lengths as int32.
        if let bad = lengths.first(where: { $0 < 1 || $0 > Int(Int32.max) }) {
            throw fail("sequence length \(bad) is out of range 1...\(Int32.max)")
        }
        let sorted = lengths.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) where a == b {
            throw fail("sequence length \(a) is given twice")
        }
        switch strategy {
        case .bestFit(window: .documents(let n)) where n < 1:
            throw fail("the best-fit window must hold at least 1 document (got \(n))")
        case .bestFit(window: .tokens(let n)) where n < 1:
            throw fail("the best-fit window must hold at least 1 token (got \(n))")
        default: break
        }
        guard maxOpenSequences >= 1 else {
            throw fail("max open sequences must be at least 1 (got \(maxOpenSequences))")
        }
        guard crossFillLimit >= 0, crossFillLimit <= 1 else {
            throw fail("cross-fill limit must be between 0 and 1 (got \(crossFillLimit))")
        }
        var copy = self
        copy.lengths = sorted
        return copy
    }
}

/// A finished sequence and the bucket it belongs to.
public struct BucketedSequence: Sendable, Equatable {
    /// The bucket's sequence length; `sequence.tokens.count` equals it.
    public var bucketLength: Int
    public var sequence: PackedSequence

    public init(bucketLength: Int, sequence: PackedSequence) {
        self.bucketLength = bucketLength
        self.sequence = sequence
    }
}

extension PackingOptions {
    /// The shortest sequence length `pack` accepts: below it a sequence holds hardly a sentence
    /// and nearly every document is split (`--len 1` made 869,942 one-token sequences).
    public static let minimumSequenceLength = 64

    /// Lengths above this (1 M tokens) are warned about: more likely a typo than a context window.
    public static let longestUsualSequenceLength = 1 << 20

    /// Sequence lengths a user surely did not mean: throws a usage error below
    /// `minimumSequenceLength`; returns a warning for each length that is legal but suspicious
    /// (shorter than 1024 tokens, longer than `longestUsualSequenceLength`, or not a multiple of 64).
    public static func checkSequenceLengths(_ lengths: [Int]) throws -> [String] {
        if let tooShort = lengths.first(where: { $0 < minimumSequenceLength }) {
            throw YiError(.usage, "sequence length \(tooShort) is below the minimum of \(minimumSequenceLength) tokens (long-context packing uses lengths such as 8192,16384)")
        }
        var warnings: [String] = []
        for length in lengths.sorted() {
            if length < 1024 {
                warnings.append("warning: sequence length \(length) is short for long-context training: every document longer than the largest length is split, and long-context recipes use 4096 to 32768")
            } else if length > longestUsualSequenceLength {
                warnings.append("warning: sequence length \(length) is above \(longestUsualSequenceLength) tokens, longer than the contexts models are trained at (Yi's longest is 200K); every open sequence is built in memory, about 6 bytes a token")
            } else if length % 64 != 0 {
                warnings.append("warning: sequence length \(length) is not a multiple of 64 (usual lengths are powers of two such as 8192 and 16384)")
            }
        }
        return warnings
    }
}
