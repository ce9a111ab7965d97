import Testing
import YiCore
import YiPacking

/// Small cases worked out by hand (the comments show the arithmetic).
@Suite struct PackingExampleTests {
    /// (ordinal, offset, length) of each span, for compact expectations.
    static func layout(_ sequence: BucketedSequence) -> [[Int]] {
        sequence.sequence.spans.map { [$0.documentOrdinal, $0.offset, $0.length] }
    }

    static func run(_ lengths: [Int], _ options: PackingOptions) throws -> (adds: [[BucketedSequence]], finish: [BucketedSequence], run: PackingRun) {
        let packer = try Packer(options: options)
        var adds: [[BucketedSequence]] = []
        for (ordinal, length) in lengths.enumerated() {
            adds.append(packer.add(tokens: PackingRun.document(ordinal: ordinal, length: length),
                                   ordinal: ordinal, sourceIndex: PackingRun.sourceIndex(ordinal: ordinal)))
        }
        let finish = packer.finish()
        let run = try PackingRun(lengths: lengths, options: options)
        #expect(run.problems() == [])
        #expect(run.output == adds.flatMap { $0 } + finish)
        return (adds, finish, run)
    }

    @Test func bestFitDecreasingInOneBucket() throws {
        // Window of 4 documents, bucket 10. Lengths 6, 3, 5, 4 → round at the 4th add, longest
        // first: 6 opens A (4 left); 5 does not fit A, opens B (5 left); 4 fits A exactly (the
        // least space that fits) → A is full and emitted; 3 goes to B (2 left).
        // Then 2 and 7 wait; finish: 7 opens C (3 left), 2 fills B; B then C are emitted.
        let options = PackingOptions(lengths: [10], strategy: .bestFit(window: .documents(4)),
                                     maxOpenSequences: 2)
        let (adds, finish, run) = try Self.run([6, 3, 5, 4, 2, 7], options)
        #expect(adds[0...2].allSatisfy { $0.isEmpty })
        #expect(adds[3].map(Self.layout) == [[[0, 0, 6], [3, 6, 4]]])
        #expect(adds[4...5].allSatisfy { $0.isEmpty })
        #expect(finish.map(Self.layout) == [[[1, 0, 3], [2, 3, 5], [4, 8, 2]], [[5, 0, 7]]])
        let last = finish[1].sequence
        #expect(last.tokens[0..<7] == PackingRun.document(ordinal: 5, length: 7)[...])
        #expect(Array(last.tokens[7...]) == [0, 0, 0])
        let bucket = run.statistics.buckets[0]
        #expect(bucket.sequences == 3 && bucket.documentTokens == 27 && bucket.padTokens == 3)
        #expect(bucket.spansPerSequence == [0, 1, 1, 1])  // C has 1 span, A 2, B 3
        #expect(abs(bucket.fillRatio - 0.9) < 1e-12)
    }

    @Test func bestFitTiesGoToTheOldestSequence() throws {
        // Bucket 8, window 3: 5, 5 open A and B (3 left each); 3 fits both equally → A (older).
        let options = PackingOptions(lengths: [8], strategy: .bestFit(window: .documents(3)))
        let (adds, finish, _) = try Self.run([5, 5, 3], options)
        #expect(adds[2].map(Self.layout) == [[[0, 0, 5], [2, 5, 3]]])
        #expect(finish.map(Self.layout) == [[[1, 0, 5]]])
    }

    @Test func openSequencesBeyondTheLimitCloseFullestFirst() throws {
        // Bucket 10, window 3, at most 1 open: 7, 6, 2 → 7 opens A, 6 opens B, 2 fits A (3 left)
        // → A (1 left) is fuller than B (4 left) and is closed after the round.
        let options = PackingOptions(lengths: [10], strategy: .bestFit(window: .documents(3)),
                                     maxOpenSequences: 1)
        let (adds, finish, run) = try Self.run([7, 6, 2], options)
        #expect(adds[2].map(Self.layout) == [[[0, 0, 7], [2, 7, 2]]])
        #expect(finish.map(Self.layout) == [[[1, 0, 6]]])
        #expect(run.statistics.buckets[0].padTokens == 1 + 4)
    }

    @Test func crossFillFillsLongerBucketsWithoutOpeningThem() throws {
        // Buckets 4 and 8, window 3: 6 (home 8) opens A (2 left); 3 (home 4) does not fit A,
        // opens B in bucket 4 (1 left); 2 (home 4) fits A exactly → A is emitted. B is padded.
        let options = PackingOptions(lengths: [8, 4], strategy: .bestFit(window: .documents(3)),
                                     crossFillLimit: 1)
        let (adds, finish, run) = try Self.run([6, 2, 3], options)
        #expect(adds[2].map { $0.bucketLength } == [8])
        #expect(adds[2].map(Self.layout) == [[[0, 0, 6], [1, 6, 2]]])
        #expect(finish.map { $0.bucketLength } == [4])
        #expect(finish.map(Self.layout) == [[[2, 0, 3]]])
        #expect(run.statistics.buckets[1].crossFilledDocuments == 1)
        #expect(run.statistics.buckets[1].crossFilledTokens == 2)
        #expect(run.statistics.buckets[0].routedTokens == 5)

        // Without cross-fill, 2 opens its own sequence C; finish closes bucket 4 (B, C) then 8.
        var pure = options
        pure.crossFill = false
        let (_, pureFinish, _) = try Self.run([6, 2, 3], pure)
        #expect(pureFinish.map { $0.bucketLength } == [4, 4, 8])
        #expect(pureFinish.map(Self.layout) == [[[2, 0, 3]], [[1, 0, 2]], [[0, 0, 6]]])
    }

    @Test func crossFillChoosesTheBestFitOverAllBuckets() throws {
        // Buckets 4 and 8, window 2. Round 1: 7 opens A in 8 (1 left); 2 does not fit, opens B in
        // 4 (2 left). Round 2: 5 (home 8) opens C (3 left); 1 may go to B (2 left), A (1 left) or
        // C (3 left): A is the best fit, fills up and is emitted.
        let options = PackingOptions(lengths: [4, 8], strategy: .bestFit(window: .documents(2)),
                                     crossFillLimit: 1)
        let (adds, finish, _) = try Self.run([2, 7, 5, 1], options)
        #expect(adds[3].map(Self.layout) == [[[1, 0, 7], [3, 7, 1]]])
        #expect(finish.map { $0.bucketLength } == [4, 8])
        #expect(finish.map(Self.layout) == [[[0, 0, 2]], [[2, 0, 5]]])
    }

    @Test func crossFillLimitKeepsTheShortBucket() throws {
        // Same input, limit 0.3: bucket 4 has 5 routed tokens, so at most 1.5 may leave it;
        // the 2-token document stays home.
        let options = PackingOptions(lengths: [4, 8], strategy: .bestFit(window: .documents(3)),
                                     crossFillLimit: 0.3)
        let (_, finish, run) = try Self.run([6, 2, 3], options)
        #expect(finish.map { $0.bucketLength } == [4, 4, 8])
        #expect(run.statistics.buckets[1].crossFilledTokens == 0)
    }

    @Test func longDocumentsSplitIntoChunksThatStayInTheLargestBucket() throws {
        // Buckets 4 and 8; 19 tokens → chunks 8, 8 (emitted at once) and a tail of 3 that stays
        // in bucket 8 (not bucket 4) and is padded at finish.
        let options = PackingOptions(lengths: [4, 8])
        let (adds, finish, run) = try Self.run([19], options)
        #expect(adds[0].map { $0.sequence.spans.map(\.part) } == [[0], [1]])
        #expect(adds[0].allSatisfy { $0.bucketLength == 8 && !$0.sequence.spans[0].isDocumentEnd })
        #expect(finish.map { $0.bucketLength } == [8])
        #expect(finish[0].sequence.spans == [DocumentSpan(offset: 0, length: 3, documentOrdinal: 0, part: 2,
                                                          isDocumentEnd: true, sourceIndex: 0)])
        #expect(run.statistics.buckets[1].splitDocuments == 1)
        #expect(run.statistics.buckets[1].chunks == 3)

        // An exact multiple has no tail: the last full chunk ends the document.
        let (exact, _, _) = try Self.run([16], options)
        #expect(exact[0].map { $0.sequence.spans[0].isDocumentEnd } == [false, true])
    }

    @Test func longDocumentsCanBeDropped() throws {
        let options = PackingOptions(lengths: [8], longDocuments: .drop)
        let (_, finish, run) = try Self.run([9, 3], options)
        #expect(finish.map(Self.layout) == [[[1, 0, 3]]])
        #expect(run.statistics.buckets[0].droppedLongDocuments == 1)
        #expect(run.statistics.buckets[0].droppedLongTokens == 9)
    }

    @Test func concatCutsAtTheBucketLength() throws {
        // Bucket 5: 3 + 4 + 1 tokens → [0: 3][1: 2 of 4] | [1: 2 more][2: 1] + 2 pad.
        let options = PackingOptions(lengths: [5], strategy: .concat)
        let (adds, finish, run) = try Self.run([3, 4, 1], options)
        #expect(adds[1].map(Self.layout) == [[[0, 0, 3], [1, 3, 2]]])
        #expect(adds[1][0].sequence.spans.map(\.isDocumentEnd) == [true, false])
        #expect(finish.map(Self.layout) == [[[1, 0, 2], [2, 2, 1]]])
        #expect(finish[0].sequence.spans.map(\.part) == [1, 0])
        #expect(Array(finish[0].sequence.tokens[3...]) == [0, 0])
        #expect(run.statistics.buckets[0].cutDocuments == 1)
        #expect(run.statistics.buckets[0].padTokens == 2)

        var dropping = options
        dropping.concatRemainder = .drop
        let (_, dropped, droppedRun) = try Self.run([3, 4, 1], dropping)
        #expect(dropped.isEmpty)
        #expect(droppedRun.statistics.buckets[0].droppedRemainderTokens == 3)
    }

    @Test func concatSplitsLongDocumentsAcrossSequences() throws {
        // Bucket 4: 9 tokens → parts 4, 4, 1 (+3 pad).
        let options = PackingOptions(lengths: [4], strategy: .concat)
        let (adds, finish, run) = try Self.run([9], options)
        #expect(adds[0].count == 2)
        #expect(finish[0].sequence.spans.map(\.part) == [2])
        #expect(run.statistics.buckets[0].splitDocuments == 1)
        #expect(run.statistics.buckets[0].chunks == 3)
        #expect(run.statistics.buckets[0].cutDocuments == 0)
    }

    @Test func emptyDocumentsAreCountedAndSkipped() throws {
        let (_, finish, run) = try Self.run([0, 2], PackingOptions(lengths: [4]))
        #expect(finish.map(Self.layout) == [[[1, 0, 2]]])
        #expect(run.statistics.emptyDocuments == 1)
        #expect(run.statistics.documents == 2)
    }

    @Test func tokenWindowStartsARoundWhenFull() throws {
        // Window of 10 tokens: 4 + 5 wait, 3 makes 12 ≥ 10 → round.
        let packer = try Packer(options: PackingOptions(lengths: [16], strategy: .bestFit(window: .tokens(10))))
        _ = packer.add(tokens: PackingRun.document(ordinal: 0, length: 4), ordinal: 0, sourceIndex: 0)
        _ = packer.add(tokens: PackingRun.document(ordinal: 1, length: 5), ordinal: 1, sourceIndex: 0)
        #expect(packer.state == PackerState(pendingDocuments: 2, pendingTokens: 9, openSequences: [0], openTokens: 0))
        _ = packer.add(tokens: PackingRun.document(ordinal: 2, length: 3), ordinal: 2, sourceIndex: 0)
        #expect(packer.state == PackerState(pendingDocuments: 0, pendingTokens: 0, openSequences: [1], openTokens: 12))
        #expect(packer.finish().map(Self.layout) == [[[0, 0, 4], [1, 4, 5], [2, 9, 3]]])
        #expect(packer.finish().isEmpty)
    }

    @Test func invalidOptionsAreUsageErrors() {
        let bad: [PackingOptions] = [
            PackingOptions(lengths: []),
            PackingOptions(lengths: [0]),
            PackingOptions(lengths: [8192, 8192]),
            PackingOptions(lengths: [8192], strategy: .bestFit(window: .documents(0))),
            PackingOptions(lengths: [8192], strategy: .bestFit(window: .tokens(0))),
            PackingOptions(lengths: [8192], maxOpenSequences: 0),
            PackingOptions(lengths: [8192], crossFillLimit: 1.5),
            PackingOptions(lengths: [Int(Int32.max) + 1]),
        ]
        for options in bad {
            #expect(throws: YiError.self) { try Packer(options: options) }
            do { _ = try Packer(options: options) } catch let error as YiError {
                #expect(error.code == .usage)
            } catch { Issue.record("unexpected \(error)") }
        }
        #expect(throws: Never.self) { try Packer(options: PackingOptions(lengths: [16384, 8192])) }
        #expect((try? Packer(options: PackingOptions(lengths: [16384, 8192])))?.options.lengths == [8192, 16384])
    }

    @Test func countersNameEachBucket() throws {
        let (_, _, run) = try Self.run([6, 2, 3, 19], PackingOptions(lengths: [4, 8], crossFillLimit: 1))
        let counters = run.statistics.counters
        let s = run.statistics
        #expect(counters["packing.documents"] == 4)
        #expect(counters["packing.len-8.sequences"] == s.buckets[1].sequences)
        #expect(counters["packing.len-8.pad-tokens"] == s.buckets[1].padTokens)
        #expect(counters["packing.len-8.split-documents"] == 1)
        #expect(counters["packing.len-8.chunks"] == 3)
        #expect(counters["packing.len-4.routed-tokens"] == 5)
        for (spans, sequences) in s.buckets[1].spansPerSequence.enumerated() where sequences > 0 {
            #expect(counters["packing.len-8.spans-per-sequence.\(spans)"] == sequences)
        }
        #expect(counters.values.keys.contains("packing.len-4.dropped-long-documents"))
    }
}
