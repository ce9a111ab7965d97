/// What a source's share is measured in.
public enum ShareUnit: String, Sendable, CaseIterable {
    case tokens, documents
}

/// How large the mixed corpus is.
public enum MixBudget: Sendable, Equatable {
    /// As large as possible without repeating any document: the source that runs out first
    /// (relative to its target share) is used whole, the others are sampled down.
    case noRepetition
    /// The same size as the input (in the share unit); upsampled sources repeat documents.
    case inputSize
    /// A fixed size in the share unit (tokens or documents); documents repeat where needed.
    case total(Int)
}

/// Per-source length upsampling (Fu et al. 2024, "Data Engineering for Scaling Language Models
/// to 128K Context"): within a source, documents of at least `longThreshold` tokens are kept
/// with weight 1 and shorter ones with weight `shortKeepProbability`, then the whole source is
/// scaled so that its share of the mix stays at its target. The long-document fraction of the
/// source rises; the mixture across sources does not change.
public struct LengthUpsampling: Sendable, Equatable {
    public var longThreshold: Int
    public var shortKeepProbability: Double

    public init(longThreshold: Int, shortKeepProbability: Double) {
        self.longThreshold = longThreshold
        self.shortKeepProbability = shortKeepProbability
    }

    /// No upsampling (every document weight 1): overrides a default for one source.
    public static let none = LengthUpsampling(longThreshold: .max, shortKeepProbability: 1)
}

public struct MixOptions: Sendable, Equatable {
    public var unit: ShareUnit
    /// Relative target shares per source (normalized to sum 1). nil: each source keeps its
    /// natural share of the input. When given, every source of the input needs a weight
    /// (weight 0 drops a source).
    public var weights: [String: Double]?
    /// Length upsampling per source; `defaultUpsampling` applies to sources not listed.
    public var upsampling: [String: LengthUpsampling]
    public var defaultUpsampling: LengthUpsampling?
    public var budget: MixBudget
    public var seed: UInt64

    public init(unit: ShareUnit = .tokens, weights: [String: Double]? = nil, upsampling: [String: LengthUpsampling] = [:],
                defaultUpsampling: LengthUpsampling? = nil, budget: MixBudget = .noRepetition, seed: UInt64 = 0) {
        self.unit = unit
        self.weights = weights
        self.upsampling = upsampling
        self.defaultUpsampling = defaultUpsampling
        self.budget = budget
        self.seed = seed
    }

    /// The source's upsampling; nil when it has none (or `LengthUpsampling.none`).
    public func upsampling(for source: String) -> LengthUpsampling? {
        let u = upsampling[source] ?? defaultUpsampling
        return u == LengthUpsampling.none ? nil : u
    }
}

/// One source's size, from a counting pass (or a dry run) over the filtered, tokenized corpus.
public struct SourceTotals: Sendable, Equatable {
    public var documents = 0
    public var tokens = 0
    /// Documents (and their tokens) at or above the source's long threshold.
    public var longDocuments = 0
    public var longTokens = 0
    /// Σ tokens² over all documents and over the long ones: let the plan predict the sampling
    /// error of the token shares.
    public var sumSquaredTokens = 0.0
    public var longSumSquaredTokens = 0.0

    public init() {}

    public init(documents: Int, tokens: Int, longDocuments: Int = 0, longTokens: Int = 0, sumSquaredTokens: Double = 0,
                longSumSquaredTokens: Double = 0) {
        self.documents = documents
        self.tokens = tokens
        self.longDocuments = longDocuments
        self.longTokens = longTokens
        self.sumSquaredTokens = sumSquaredTokens
        self.longSumSquaredTokens = longSumSquaredTokens
    }

    public mutating func add(tokens: Int, isLong: Bool) {
        documents += 1
        self.tokens += tokens
        sumSquaredTokens += Double(tokens) * Double(tokens)
        if isLong {
            longDocuments += 1
            longTokens += tokens
            longSumSquaredTokens += Double(tokens) * Double(tokens)
        }
    }
}

/// The counting pass: feed every document's source, key and token count (after filtering and
/// tokenization), get the totals and the calibration that `MixPlan.make` needs. Long documents
/// are measured against each source's own threshold. Counters of different ranks or threads
/// `merge` (sums), so the pass can be split any way.
public struct MixTotalsCounter: Sendable {
    public let options: MixOptions
    public private(set) var totals: [String: SourceTotals] = [:]
    public private(set) var calibration: [String: MixCalibration] = [:]
    private var sourceKeys: [String: UInt64] = [:]

    public init(options: MixOptions) { self.options = options }

    /// `key`: the document's ordinal in the input, or `SourcePlan.key(documentID:)` — the same
    /// key the pipeline will pass to `SourcePlan.copies`.
    public mutating func add(source: String, key: UInt64, tokens: Int) {
        let threshold = options.upsampling(for: source)?.longThreshold
        let isLong = threshold.map { tokens >= $0 } ?? false
        totals[source, default: SourceTotals()].add(tokens: tokens, isLong: isLong)
        let sourceKey = sourceKeys[source] ?? MixCalibration.sourceKey(seed: options.seed, source: source)
        sourceKeys[source] = sourceKey
        let mass = options.unit == .tokens ? Double(tokens) : 1
        calibration[source, default: MixCalibration()]
            .add(u: MixCalibration.draw(sourceKey: sourceKey, key: key), mass: mass, isLong: isLong)
    }

    public mutating func add(source: String, ordinal: Int, tokens: Int) {
        add(source: source, key: UInt64(bitPattern: Int64(ordinal)), tokens: tokens)
    }

    public mutating func merge(_ other: MixTotalsCounter) {
        precondition(other.options == options, "merging counters of different mix options")
        for (source, t) in other.totals {
            var mine = totals[source, default: SourceTotals()]
            mine.documents += t.documents
            mine.tokens += t.tokens
            mine.longDocuments += t.longDocuments
            mine.longTokens += t.longTokens
            mine.sumSquaredTokens += t.sumSquaredTokens
            mine.longSumSquaredTokens += t.longSumSquaredTokens
            totals[source] = mine
        }
        for (source, c) in other.calibration { calibration[source, default: MixCalibration()].merge(c) }
    }
}
