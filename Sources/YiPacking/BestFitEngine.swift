import YiCore

/// Best-fit decreasing over a bounded window (see `Packer` for the rules it implements).
///
/// Documents wait in `pending` until the window is full; a placement round then takes them
/// longest first and puts each into the open sequence with the least remaining space that fits
/// (ties to the oldest), across its own bucket and, with cross-fill, the longer buckets. Only when
/// nothing fits does it open a sequence, always in the item's own bucket. Sequences close when
/// full; after the round each bucket keeps at most `maxOpenSequences` open, closing the fullest.
final class BestFitEngine {
    private let lengths: [Int]
    private let window: PackingOptions.Window
    private let crossFill: Bool
    private let crossFillLimit: Double
    private let maxOpenSequences: Int
    private let padID: TokenID

    private var pending: [PackItem] = []
    private(set) var pendingTokens = 0
    private var open: [OpenSequenceSet]
    private var nextSerial = 0
    /// Tokens each bucket has given to longer buckets' sequences (for `crossFillLimit`).
    private var crossFilledOut: [Int]

    init(options: PackingOptions, window: PackingOptions.Window) {
        lengths = options.lengths
        self.window = window
        crossFill = options.crossFill && options.lengths.count > 1
        crossFillLimit = options.crossFillLimit
        maxOpenSequences = options.maxOpenSequences
        padID = options.padID
        open = Array(repeating: OpenSequenceSet(), count: options.lengths.count)
        crossFilledOut = Array(repeating: 0, count: options.lengths.count)
    }

    var pendingCount: Int { pending.count }
    var openCounts: [Int] { open.map(\.count) }
    var openTokens: Int { open.reduce(0) { $0 + $1.usedTokens } }

    private var windowIsFull: Bool {
        switch window {
        case .documents(let limit): return pending.count >= limit
        case .tokens(let limit): return pendingTokens >= limit
        }
    }

    func enqueue(_ item: PackItem, statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        pending.append(item)
        pendingTokens += item.count
        if windowIsFull { placePending(statistics: &statistics, output: &output) }
    }

    /// Places everything pending, then closes every open sequence (padded), bucket by bucket in
    /// the order they were opened.
    func finish(statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        placePending(statistics: &statistics, output: &output)
        for bucket in open.indices {
            for sequence in open[bucket].removeAllInOpeningOrder() {
                close(sequence, statistics: &statistics, output: &output)
            }
        }
    }

    private func placePending(statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        guard !pending.isEmpty else { return }
        pending.sort(by: PackItem.placementOrder)
        for item in pending { place(item, statistics: &statistics, output: &output) }
        pending.removeAll(keepingCapacity: true)
        pendingTokens = 0
        for bucket in open.indices where open[bucket].count > maxOpenSequences {
            for sequence in open[bucket].removeFullest(open[bucket].count - maxOpenSequences) {
                close(sequence, statistics: &statistics, output: &output)
            }
        }
    }

    private func place(_ item: PackItem, statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        let home = item.home
        let mayCrossFill = crossFill && home < lengths.count - 1
            && Double(crossFilledOut[home] + item.count)
                <= crossFillLimit * Double(statistics.buckets[home].routedTokens)
        let lastCandidate = mayCrossFill ? lengths.count - 1 : home

        // Best fit over the candidate buckets: least remaining space, then oldest.
        var chosen: (bucket: Int, index: Int)? = nil
        for bucket in home...lastCandidate {
            guard let index = open[bucket].bestFit(for: item.count) else { continue }
            if let (bestBucket, bestIndex) = chosen {
                let a = (open[bucket].remaining(at: index), open[bucket].serial(at: index))
                let b = (open[bestBucket].remaining(at: bestIndex), open[bestBucket].serial(at: bestIndex))
                if a < b { chosen = (bucket, index) }
            } else {
                chosen = (bucket, index)
            }
        }

        let sequence: OpenSequence
        if let (bucket, index) = chosen {
            sequence = open[bucket].remove(at: index)
        } else {
            sequence = OpenSequence(bucket: home, length: lengths[home], serial: nextSerial)
            nextSerial += 1
        }
        sequence.append(item)
        if sequence.bucket != home {
            crossFilledOut[home] += item.count
            statistics.buckets[sequence.bucket].crossFilledDocuments += 1
            statistics.buckets[sequence.bucket].crossFilledTokens += item.count
        }
        if sequence.remaining == 0 {
            close(sequence, statistics: &statistics, output: &output)
        } else {
            open[sequence.bucket].insert(sequence)
        }
    }

    private func close(_ sequence: OpenSequence, statistics: inout PackingStatistics, output: inout [BucketedSequence]) {
        statistics.buckets[sequence.bucket].recordClosed(
            spanCount: sequence.items.count, documentTokens: sequence.usedTokens,
            documentEnds: sequence.documentEnds)
        output.append(BucketedSequence(bucketLength: sequence.length, sequence: sequence.build(padID: padID)))
    }
}
