import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

@Suite struct StatsTests {
    /// Nearest-rank percentile over a sorted list, computed without the library's code.
    static func nearestRank(_ sorted: [Int], _ p: Double) -> Int {
        sorted[max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    @Test func numbersEqualIndependentlyComputedOnes() throws {
        let dir = TemporaryDirectory()
        let documents = TestPacker.documents(count: 60, seed: 5, maxLength: 70, vocabulary: TestDataset.vocabulary)
        let dataset = try TestDataset(directory: dir.path, documents: documents, lengths: [16, 32], shardTokens: 200)
        let stats = try StatsCollector.collect(path: dir.path)

        // Route documents the way TestDataset does, then compute everything from the documents.
        let routed = Dictionary(grouping: documents) { d in [16, 32].first { d.tokens.count <= $0 } ?? 32 }
        for (i, length) in [16, 32].enumerated() {
            let bucket = stats.buckets[i]
            let sequences = dataset.sequences[length]!
            let docs = routed[length] ?? []
            #expect(bucket.name == "len-\(length)")
            #expect(bucket.sequences == sequences.count)
            #expect(bucket.tokens == sequences.count * length)
            #expect(bucket.documentTokens == docs.reduce(0) { $0 + $1.tokens.count })
            #expect(bucket.padTokens == bucket.tokens - bucket.documentTokens)
            #expect(bucket.documents == docs.count)
            #expect(bucket.splitDocuments == docs.filter { $0.tokens.count > 0 }.count - sequences.flatMap(\.spans).filter { $0.part == 0 && $0.isDocumentEnd }.count)
            #expect(bucket.eosTokens == docs.count)
            let lengths = docs.map(\.tokens.count).sorted()
            #expect(bucket.documentLengths.count == lengths.count)
            #expect(bucket.documentLengths.percentile(50) == Self.nearestRank(lengths, 50))
            #expect(bucket.documentLengths.percentile(90) == Self.nearestRank(lengths, 90))
            #expect(bucket.documentLengths.percentile(99) == Self.nearestRank(lengths, 99))
            #expect(bucket.documentLengths.maximum == lengths.last)
            #expect(bucket.documentLengths.histogram.reduce(0) { $0 + $1.count } == lengths.count)
            for bin in bucket.documentLengths.histogram {
                #expect(bin.count == lengths.filter { $0 >= bin.lower && $0 <= bin.upper }.count)
            }
            var perSequence: [Int: Int] = [:]
            for s in sequences { perSequence[s.spans.count, default: 0] += 1 }
            #expect(bucket.documentsPerSequence == perSequence.sorted { $0.key < $1.key }.map { ValueCount(value: $0.key, count: $0.value) })
        }
        // Long documents (> 32 tokens) are split in len-32; the bucket joins their parts back.
        #expect(documents.contains { $0.tokens.count > 32 })
        #expect(stats.buckets[1].splitDocuments > 0)
        #expect(stats.buckets[1].documentLengths.maximum == documents.map(\.tokens.count).max())

        let allTokens = documents.reduce(0) { $0 + $1.tokens.count }
        #expect(stats.total.documentTokens == allTokens)
        #expect(stats.total.documents == documents.count)
        #expect(stats.total.fillRatio == Double(allTokens) / Double(stats.total.tokens))
        for (index, name) in TestDataset.sources.enumerated() {
            let tokens = documents.filter { $0.source == index }.reduce(0) { $0 + $1.tokens.count }
            let share = stats.sources.first { $0.name == name }
            #expect(share?.tokens == tokens)
            #expect(share?.share == Double(tokens) / Double(allTokens))
        }
        #expect(stats.sources.map(\.tokens) == stats.sources.map(\.tokens).sorted(by: >))
        #expect(stats.rejects == [NamedCount(name: "malformed-json", count: 2)])
        #expect(stats.drops == [NamedCount(name: "too-short", count: 1)])
        #expect(stats.inputBytes == 5_000)
        #expect(stats.tokensPerInputByte == Double(allTokens) / 5_000)
        #expect(stats.eosCountedFrom == "sidecar")

        // Counting EOS from the tokens agrees with the sidecar (every document ends with EOS and
        // the test ids never use the EOS id elsewhere).
        let scanned = try StatsCollector.collect(path: dir.path, options: StatsOptions(countEOSFromTokens: true))
        #expect(scanned.total.eosTokens == documents.count)
        #expect(scanned.eosCountedFrom == "tokens")
        // One bucket or one shard: the same numbers for what they hold.
        let bucketOnly = try StatsCollector.collect(path: dir.file("len-16"))
        #expect(bucketOnly.buckets.count == 1 && bucketOnly.buckets[0].documents == stats.buckets[0].documents)
        #expect(bucketOnly.sources.reduce(0) { $0 + $1.tokens } == stats.buckets[0].documentTokens)
        let shardOnly = try StatsCollector.collect(path: dir.file("len-16/shard-00000"))
        #expect(shardOnly.total.sequences == dataset.manifest.buckets[0].shards[0].sequences)
    }

    @Test func foreignShardsCountMegatronDocuments() throws {
        let dir = TemporaryDirectory()
        let lengths: [Int32] = [3, 1, 5, 2]
        var idx = Array("MMIDIDX".utf8) + [0, 0] + Bytes.le(UInt64(1)) + [8] + Bytes.le(UInt64(4)) + Bytes.le(UInt64(3))
        idx += lengths.flatMap { Bytes.le($0) }
        idx += [Int64(0), 6, 8, 18].flatMap { Bytes.le($0) }
        idx += [Int64(0), 2, 4].flatMap { Bytes.le($0) }
        dir.write("data.idx", bytes: idx)
        dir.write("data.bin", bytes: (0..<11).flatMap { Bytes.le(UInt16($0 == 3 || $0 == 10 ? 2 : 7)) })
        let stats = try StatsCollector.collect(path: dir.file("data"), options: StatsOptions(countEOSFromTokens: true, eosID: 2))
        #expect(stats.total.sequences == 4 && stats.total.tokens == 11 && stats.total.padTokens == 0)
        #expect(stats.total.documents == 2)
        #expect(stats.total.documentLengths.countsByLength == [4: 1, 7: 1])
        #expect(stats.total.eosTokens == 2)
        #expect(!stats.total.hasBoundaries)
        #expect(stats.notes.contains { $0.contains("without .docs sidecars") })
    }

    /// Long-token shares per bucket and per source, against the documents themselves: a document
    /// of length L counts all its tokens (every part of a split one) at thresholds ≤ L.
    @Test func longTokenSharesEqualIndependentlyComputedOnes() throws {
        let dir = TemporaryDirectory()
        let documents = TestPacker.documents(count: 80, seed: 11, maxLength: 90, vocabulary: TestDataset.vocabulary)
        try TestDataset(directory: dir.path, documents: documents, lengths: [16, 32], shardTokens: 300)
        var options = StatsOptions()
        options.longTokenThresholds = [8, 24, 48]
        let stats = try StatsCollector.collect(path: dir.path, options: options)
        let routed = Dictionary(grouping: documents) { d in [16, 32].first { d.tokens.count <= $0 } ?? 32 }
        for (i, length) in [16, 32].enumerated() {
            let docs = routed[length] ?? []
            let bucket = stats.buckets[i]
            #expect(bucket.long.tokens == docs.reduce(0) { $0 + $1.tokens.count })
            for threshold in [8, 24, 48] {
                let long = docs.filter { $0.tokens.count >= threshold }.reduce(0) { $0 + $1.tokens.count }
                #expect(bucket.long.longTokens[[8, 24, 48].firstIndex(of: threshold)!] == long, "len-\(length) ≥\(threshold)")
            }
            for source in 0..<TestDataset.sources.count {
                let mine = docs.filter { $0.source == source }
                let tally = bucket.sourceLong[source]
                #expect((tally?.tokens ?? 0) == mine.reduce(0) { $0 + $1.tokens.count })
                #expect((tally?.share(atLeast: 48) ?? 0) == (mine.isEmpty ? 0 : Double(mine.filter { $0.tokens.count >= 48 }.reduce(0) { $0 + $1.tokens.count })
                    / Double(mine.reduce(0) { $0 + $1.tokens.count })))
                #expect((tally?.documentLengths.maximum) == mine.map(\.tokens.count).max())
            }
        }
        #expect(stats.buckets[1].long.longTokens[2] > 0, "the corpus must have split documents of 48+ tokens")
        for source in stats.sources {
            let mine = documents.filter { $0.source == source.index }
            #expect(source.long.documentLengths.percentile(50) == Self.nearestRank(mine.map(\.tokens.count).sorted(), 50))
        }
    }

    @Test func renderingsAreCompleteAndStable() throws {
        let dir = TemporaryDirectory()
        let documents = TestPacker.documents(count: 30, seed: 8, maxLength: 40, vocabulary: TestDataset.vocabulary)
        try TestDataset(directory: dir.path, documents: documents, lengths: [16, 32], shardTokens: 200)
        let stats = try StatsCollector.collect(path: dir.path)

        let text = StatsJSON.string(stats)
        #expect(text == StatsJSON.string(try StatsCollector.collect(path: dir.path)))
        let json = try JSONParser.parse(text)
        let keys: [String] = { if case .object(let m) = json { return m.map(\.0) } else { return [] } }()
        #expect(keys == ["format", "format_version", "path", "kind", "manifest", "totals", "buckets", "sources", "rejects", "drops",
                         "input_bytes", "tokens_per_input_byte", "text_bytes", "tokens_per_text_byte", "eos_counted_from", "damaged_files", "notes"])
        let bucket = json["buckets"].flatMap { if case .array(let a) = $0 { return a.first } else { return nil } }
        #expect(bucket?["sequences"]?.intValue == Int64(stats.buckets[0].sequences))
        #expect(bucket?["document_length"]?["p90"]?.intValue == Int64(stats.buckets[0].documentLengths.percentile(90)!))
        #expect(json["totals"]?["documents"]?.intValue == Int64(documents.count))
        #expect(json["rejects"]?["malformed-json"]?.intValue == 2)

        for width in [60, 100] {
            let terminal = StatsTerminal.render(stats, width: width)
            #expect(terminal.contains("fill ratio") && terminal.contains("█"))
            for line in terminal.split(separator: "\n") where !line.hasPrefix("Dataset ") && !line.hasPrefix("  - ") {
                #expect(line.count <= width, "line wider than \(width): \(line)")
            }
        }

        let html = StatsHTML.render(stats)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 2 + 2 * stats.buckets.count)
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="))
        #expect(html.contains("books") && html.contains("len-32"))
    }

    @Test func numberFormattingIsLocaleFree() {
        #expect(Numbers.grouped(1_234_567) == "1,234,567")
        #expect(Numbers.grouped(-1_000) == "-1,000")
        #expect(Numbers.grouped(999) == "999")
        #expect(Numbers.fixed(0.99951, 3) == "1.000")
        #expect(Numbers.fixed(12.3456, 2) == "12.35")
        #expect(Numbers.percent(0.999512, 2) == "99.95%")
        #expect(StatsTerminal.bar(0.5, width: 4) == "██")
        #expect(StatsTerminal.bar(0.0001, width: 4) == "▏")
        #expect(StatsTerminal.bar(0, width: 4) == "")
    }
}
