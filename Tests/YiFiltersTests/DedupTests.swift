import Testing
import YiCore
@testable import YiFilters

@Suite struct ExactDedupTests {
    @Test func normalizedDuplicatesAreDropped() {
        let dedup = ExactDeduplicator()
        #expect(dedup.decide("Hello  World\n") == .unique(ordinal: 0))
        #expect(dedup.decide("hello world") == .duplicate(ordinal: 1, of: 0))
        #expect(dedup.decide("  HELLO\tWORLD ") == .duplicate(ordinal: 2, of: 0))
        #expect(dedup.decide("Hello, World") == .unique(ordinal: 3))
        #expect(dedup.decide("ÉCOLE 中文") == .unique(ordinal: 4))
        #expect(dedup.decide("école   中文") == .duplicate(ordinal: 5, of: 4))
        #expect(dedup.decide("hello world") == .duplicate(ordinal: 6, of: 0))
        let report = dedup.report
        #expect(report.documents == 7)
        #expect(report.duplicates == 4)
        #expect(report.clusters == 2)
        #expect(report.unindexedDocuments == 0)
        #expect(report.counters["dedup.exact.duplicates"] == 4)

        let strict = ExactDeduplicator(options: ExactDedupOptions(normalization: .none))
        #expect(!strict.decide("a b").isDuplicate)
        #expect(!strict.decide("a  b").isDuplicate)
        #expect(strict.decide("a b").isDuplicate)
        let spaces = ExactDeduplicator(options: ExactDedupOptions(normalization: .whitespace))
        #expect(!spaces.decide("A b").isDuplicate)
        #expect(!spaces.decide("a b").isDuplicate)
        #expect(spaces.decide(" A\n b ").isDuplicate)
    }

    @Test func contentHashIsStable() {
        // Pinned: a change of normalization or hash would silently change dedup across runs.
        let dedup = ExactDeduplicator()
        #expect(dedup.contentHash("Hello World").description == dedup.contentHash(" hello\nworld").description)
        #expect(dedup.contentHash("hello world").high == XXHash64.hash("hello world"))
    }

    @Test func memoryLimitDegradesAndReports() {
        // 4 KiB holds 128 slots of 24 bytes (table 128 × 24 = 3072 B); 15/16 full = 120 entries.
        let dedup = ExactDeduplicator(options: ExactDedupOptions(memoryLimitBytes: 4096))
        for i in 0..<300 { _ = dedup.decide("document number \(i)") }
        let report = dedup.report
        #expect(report.tableEntries == 120)
        #expect(report.unindexedDocuments == 180)
        #expect(report.firstUnindexedOrdinal == 120)
        // Stored documents are still recognised; unindexed ones are not.
        #expect(dedup.decide("document number 5").isDuplicate)
        #expect(!dedup.decide("document number 250").isDuplicate)
    }

    @Test func realCorpusHasNoFalseExactDuplicates() {
        let dedup = ExactDeduplicator()
        var texts: [String: Int] = [:]
        for d in RealCorpus.documents {
            let decision = dedup.decide(d.document.text)
            let key = d.document.text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if case .duplicate = decision { #expect(texts[key] != nil, "\(d.document.id)") }
            texts[key, default: 0] += 1
        }
        #expect(dedup.report.duplicates == texts.values.reduce(0) { $0 + $1 - 1 })
    }
}

@Suite struct MinHashTests {
    func words(_ range: Range<Int>) -> String { range.map { "w\($0)" }.joined(separator: " ") }

    @Test func signatureEstimatesJaccard() {
        // Unigram shingles, 1000 permutations: σ of the estimate ≈ 0.015.
        let options = MinHashOptions(ngram: 1, bands: 100, rowsPerBand: 10)
        let dedup = NearDeduplicator(options: options)
        let base = dedup.signature(of: words(0..<1000))
        for (other, jaccard) in [(words(500..<1500), 1.0 / 3), (words(200..<1200), 0.8 / 1.2), (words(100..<1000), 0.9),
                                 (words(2000..<3000), 0.0)] {
            let estimate = MinHasher.similarity(base, dedup.signature(of: other))
            #expect(abs(estimate - jaccard) < 0.05, "J=\(jaccard) estimated \(estimate)")
        }
        // Case, punctuation and spacing do not matter.
        #expect(dedup.signature(of: "Hello, World! 中文") == dedup.signature(of: "hello world 中 文"))
    }

    @Test func parametersFromThreshold() {
        let options = MinHashOptions()
        #expect(abs(options.estimatedThreshold - 0.4204) < 0.001)
        #expect(options.candidateProbability(jaccard: 0.9) > 0.999)
        #expect(options.candidateProbability(jaccard: 0.1) < 0.005)
        let (bands, rows) = MinHashOptions.bandsAndRows(threshold: 0.8, permutations: 128)
        #expect(bands * rows <= 128)
        let chosen = MinHashOptions(bands: bands, rowsPerBand: rows)
        #expect(abs(chosen.estimatedThreshold - 0.8) < 0.1)
    }

    @Test func deterministicAcrossInstances() {
        let texts = RealCorpus.documents.prefix(120).map(\.document.text)
        let copies = texts.enumerated().map { $0.offset % 3 == 0 ? $0.element + " (copy)" : "" }
        func run() -> ([DedupDecision], DedupReport) {
            let dedup = NearDeduplicator()
            return ((texts + copies).map { dedup.decide($0) }, dedup.report)
        }
        let (first, firstReport) = run()
        let (second, secondReport) = run()
        #expect(first == second)
        #expect(firstReport == secondReport)
        #expect(firstReport.duplicates >= 40)
    }

    @Test func memoryLimitDegradesAndReports() {
        // 8 KiB holds 512 entries of 16 bytes; 15/16 full = 480 band keys = 15 documents of 32 bands.
        let dedup = NearDeduplicator(options: MinHashOptions(memoryLimitBytes: 8192))
        let texts = (0..<40).map { TextSamples.english(words: 200, seed: UInt64($0)) }
        for text in texts { #expect(!dedup.decide(text).isDuplicate) }
        let report = dedup.report
        #expect(report.tableBytes <= 8192 + 64)
        #expect(report.tableEntries <= 480)
        #expect(report.unindexedDocuments == 40 - 15)
        #expect(report.firstUnindexedOrdinal == 15)
        #expect(report.counters["dedup.near.unindexed-documents"] == 25)
        #expect(dedup.decide(texts[3]).isDuplicate)       // indexed before the limit
        #expect(!dedup.decide(texts[30]).isDuplicate)     // not indexed
    }

    @Test func characterShingles() {
        let dedup = NearDeduplicator(options: MinHashOptions(unit: .character, ngram: 5))
        let text = TextSamples.chinese(characters: 400)
        #expect(!dedup.decide(text).isDuplicate)
        var rng = SplitMix64(seed: 3)
        #expect(dedup.decide(NearDuplicatePlanting.substituteWords(text, rate: 0.03, rng: &rng)).isDuplicate)
        #expect(!dedup.decide(TextSamples.chinese(characters: 400, seed: 2)).isDuplicate)
    }
}

/// Near-duplicate recall on planted copies of real documents.
@Suite struct NearDedupRecallTests {
    enum Plant: String, CaseIterable { case substituted, substitutedAndMoved, moved, exact }

    struct Outcome {
        var planted: [Plant: Int] = [:], caught: [Plant: Int] = [:]
        var originals = 0, originalsDropped: [String] = []
        var exactDuplicatesFound = 0, identicalCopies = 0
        var totalPlanted: Int { planted.values.reduce(0, +) }
        var recall: Double { Double(caught.values.reduce(0, +)) / Double(totalPlanted) }
        func recall(_ plant: Plant) -> Double { Double(caught[plant, default: 0]) / Double(planted[plant, default: 0]) }
    }

    /// About 240 real documents with at least 50 words; a copy of every second one, in four
    /// kinds: 5% of words substituted, the same plus a paragraph moved, a paragraph moved, an
    /// exact copy. Originals first, then the copies in a seeded random order.
    static func run(_ options: MinHashOptions, editRate: Double = 0.05) -> Outcome {
        var analyzer = TextAnalyzer()
        let originals = RealCorpus.documents.filter { analyzer.analyze($0.document.text, keepTokens: false).words >= 50 }
        var rng = SplitMix64(seed: 2024)
        var planted: [(Plant, String)] = []
        for (i, original) in originals.enumerated() where i % 2 == 0 {
            let text = original.document.text
            let plant = Plant.allCases[(i / 2) % 4]
            switch plant {
            case .substituted: planted.append((plant, NearDuplicatePlanting.substituteWords(text, rate: editRate, rng: &rng)))
            case .substitutedAndMoved: planted.append((plant, NearDuplicatePlanting.moveParagraph(
                NearDuplicatePlanting.substituteWords(text, rate: editRate, rng: &rng), rng: &rng)))
            case .moved: planted.append((plant, NearDuplicatePlanting.moveParagraph(text, rng: &rng)))
            case .exact: planted.append((plant, text))
            }
        }
        for i in stride(from: planted.count - 1, to: 0, by: -1) {
            planted.swapAt(i, Int(rng.next() % UInt64(i + 1)))
        }
        let near = NearDeduplicator(options: options)
        let exact = ExactDeduplicator()
        var outcome = Outcome()
        for original in originals {
            outcome.originals += 1
            if near.decide(original.document.text).isDuplicate { outcome.originalsDropped.append(original.document.id) }
            _ = exact.decide(original.document.text)
        }
        func normalized(_ text: String) -> String {
            text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        let originalTexts = Set(originals.map { normalized($0.document.text) })
        for (plant, copy) in planted {
            outcome.planted[plant, default: 0] += 1
            if originalTexts.contains(normalized(copy)) { outcome.identicalCopies += 1 }
            if near.decide(copy).isDuplicate { outcome.caught[plant, default: 0] += 1 }
            if exact.decide(copy).isDuplicate { outcome.exactDuplicatesFound += 1 }
        }
        #expect(near.report.duplicates == outcome.caught.values.reduce(0, +) + outcome.originalsDropped.count)
        return outcome
    }

    @Test func defaultOptionsCatchPlantedDuplicates() {
        let outcome = Self.run(MinHashOptions())
        print("near-dedup recall \(outcome.recall) of \(outcome.totalPlanted) planted; by kind: "
              + Plant.allCases.map { "\($0.rawValue) \(outcome.caught[$0, default: 0])/\(outcome.planted[$0, default: 0])" }
                .joined(separator: ", ")
              + "; originals \(outcome.originals), dropped \(outcome.originalsDropped)")
        #expect(outcome.originals >= 200)
        #expect(outcome.totalPlanted >= 100)
        #expect(outcome.recall >= 0.9)
        #expect(outcome.recall(.substituted) >= 0.85)
        #expect(outcome.recall(.moved) == 1)
        #expect(outcome.recall(.exact) == 1)
        #expect(outcome.originalsDropped.isEmpty)
        // Exact dedup finds the copies identical up to case and spacing, and nothing else.
        #expect(outcome.identicalCopies >= outcome.planted[.exact, default: 0])
        #expect(outcome.exactDuplicatesFound == outcome.identicalCopies)
    }

    @Test func closeCopyThresholdMissesEditedCopies() {
        // datatrove's 14 × 8 bands aim at Jaccard ≥ 0.72: most 5%-edited copies pass it.
        let outcome = Self.run(MinHashOptions(bands: 14, rowsPerBand: 8))
        #expect(outcome.recall(.substituted) < 0.8)
        #expect(outcome.recall(.exact) == 1)
    }
}

/// The lowercase table must give what the Unicode properties give, for every scalar.
@Suite struct DedupLowercaseTests {
    @Test func tableAgreesWithUnicodeProperties() {
        var checked = 0
        for value in UInt32(0)..<0x11000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let mapping = scalar.properties.lowercaseMapping
            let expectedFirst = scalar.properties.changesWhenLowercased ? mapping.unicodeScalars.first!.value : value
            #expect(DedupText.lowercased(value) == expectedFirst, "U+\(String(value, radix: 16))")
            var text = String(scalar)
            var out: [UInt8] = []
            text.withUTF8 { bytes in DedupText.appendLowercased(value, bytes: bytes, start: 0, end: bytes.count, to: &out) }
            let expectedBytes = scalar.properties.changesWhenLowercased ? Array(mapping.utf8) : Array(String(scalar).utf8)
            #expect(out == expectedBytes, "U+\(String(value, radix: 16))")
            checked += 1
        }
        #expect(checked > 60_000)
    }
}
