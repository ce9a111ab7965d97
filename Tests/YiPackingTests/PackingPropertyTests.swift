import Testing
import PropertyBased
import YiCore
import YiPacking

/// Random document lengths × random options: every promise of the packer, checked by
/// `PackingRun.problems()` (exact lengths, no token lost or duplicated, spans consistent,
/// chunks reassemble, statistics, cross-fill rules, bounded state), plus determinism.
@Suite struct PackingPropertyTests {
    struct Scenario: CustomStringConvertible {
        var lengths: [Int]
        var options: PackingOptions

        var description: String { "documents \(lengths), options \(options)" }
    }

    /// Small buckets so that splits, cuts, cross-fills and evictions happen in short inputs.
    static let scenario = zip(
        Gen.int(in: 1...40).array(of: 1...3),
        Gen.int(in: 0...4),
        Gen.int(in: 1...12),
        Gen.bool, Gen.bool, Gen.bool,
        Gen.int(in: 1...4),
        Gen.int(in: 0...3),
        Gen.int(in: 0...90).array(of: 0...60)
    ).map { buckets, strategyChoice, windowSize, crossFill, split, padRemainder, maxOpen, limitChoice, lengths in
        let strategy: PackingOptions.Strategy
        switch strategyChoice {
        case 0: strategy = .concat
        case 1, 2: strategy = .bestFit(window: .documents(windowSize))
        default: strategy = .bestFit(window: .tokens(windowSize * 9))
        }
        let options = PackingOptions(
            lengths: Array(Set(buckets)).sorted(by: >),  // any order is accepted
            strategy: strategy, crossFill: crossFill,
            crossFillLimit: [0, 0.25, 0.5, 1][limitChoice],
            longDocuments: split ? .split : .drop, padID: 0, maxOpenSequences: maxOpen,
            concatRemainder: padRemainder ? .pad : .drop)
        return Scenario(lengths: lengths, options: options)
    }

    @Test func packingKeepsEveryPromise() async throws {
        await propertyCheck(count: 400, input: Self.scenario) { scenario in
            let run = try PackingRun(lengths: scenario.lengths, options: scenario.options)
            let problems = run.problems()
            #expect(problems.isEmpty, "\(problems.prefix(4))")
        }
    }

    @Test func packingIsDeterministic() async throws {
        await propertyCheck(count: 100, input: Self.scenario) { scenario in
            let first = try PackingRun(lengths: scenario.lengths, options: scenario.options)
            let second = try PackingRun(lengths: scenario.lengths, options: scenario.options)
            #expect(first.output == second.output)
            #expect(first.statistics == second.statistics)
        }
    }

    /// Realistic sizes too: 8K/16K buckets, synthetic long-tailed lengths, default options and
    /// a few windows, all checked token by token.
    @Test(arguments: [
        PackingOptions.defaultBestFit(lengths: [8192, 16384]),
        .bestFit(window: .documents(1)),
        .bestFit(window: .documents(50)),
        .concat,
    ])
    func realisticLengthsKeepEveryPromise(strategy: PackingOptions.Strategy) throws {
        let lengths = SyntheticCorpus.documentLengths(count: 600, seed: 7)
        for crossFill in [true, false] {
            let run = try PackingRun(lengths: lengths,
                                     options: PackingOptions(lengths: [8192, 16384], strategy: strategy,
                                                             crossFill: crossFill, maxOpenSequences: 8))
            let problems = run.problems()
            #expect(problems.isEmpty, "\(problems.prefix(4))")
        }
    }
}
