import Foundation
import Testing
import YiCore
import YiFilters
@testable import YiPipeline
import YiTestSupport

@Suite struct CorpusDedupTests {
    static func options(_ corpus: PlantedDuplicateCorpus, out: String) -> CorpusDedupOptions {
        var options = CorpusDedupOptions(inputs: [InputGroup(paths: corpus.files)], outputDirectory: out)
        options.exact = ExactDedupOptions()
        options.near = MinHashOptions()
        // Small parts: the three files become several parts, the larger ones slices.
        options.partBytes = 96 << 10
        options.keyShards = 8
        options.threads = 2
        options.pollSeconds = 0.02
        return options
    }

    /// Dropped id → (kept id, method), from the drop files.
    static func dropped(_ out: String) throws -> [String: (kept: String, method: String)] {
        var result: [String: (String, String)] = [:]
        let folder = (out as NSString).appendingPathComponent("drop")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name.hasSuffix(".jsonl") {
            let text = try String(contentsOfFile: (folder as NSString).appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let record = try JSONParser.parse(String(line))
                result[record["id"]!.stringValue!] = (record["kept"]!["id"]!.stringValue!, record["method"]!.stringValue!)
            }
        }
        return result
    }

    static func dropFiles(_ out: String) throws -> [String: Data] {
        let folder = (out as NSString).appendingPathComponent("drop")
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".jsonl") {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: (folder as NSString).appendingPathComponent(name)))
        }
        files["drop-list.json"] = try Data(contentsOf: URL(fileURLWithPath: (out as NSString).appendingPathComponent("drop-list.json")))
        return files
    }

    @Test func plantedCopiesAcrossFilesAndPartsAreDroppedAndDistinctDocumentsKept() throws {
        let dir = TemporaryDirectory()
        let corpus = try PlantedDuplicateCorpus.make(in: dir)
        #expect(corpus.distinct.count >= 100)
        let options = Self.options(corpus, out: dir.file("dedup"))
        let summary = try CorpusDedupJob(options: options, log: { _ in }).run()
        let list = try #require(summary.dropList)
        let parts = list["parts"].flatMap { if case .array(let a) = $0 { return a.count } else { return nil } } ?? 0
        #expect(parts >= 3)   // several parts, so copies are found across parts
        let dropped = try Self.dropped(options.outputDirectory)

        // No distinct document is dropped; every dropped one names its original as kept.
        #expect(dropped.keys.filter { corpus.distinct.contains($0) }.isEmpty)
        for (id, entry) in dropped { #expect(corpus.planted[id] == entry.kept, "\(id) kept \(entry.kept)") }
        // Recall per kind of edit and overall.
        for kind in PlantedDuplicateCorpus.kinds {
            let planted = corpus.planted.keys.filter { $0.hasSuffix("-" + kind) }
            #expect(planted.count >= 10)
            let found = planted.filter { dropped[$0] != nil }
            #expect(Double(found.count) >= 0.95 * Double(planted.count), "\(kind): \(found.count) of \(planted.count)")
        }
        // Exact and whitespace copies are exact duplicates after normalization.
        for (id, entry) in dropped where id.hasSuffix("-exact") || id.hasSuffix("-whitespace") { #expect(entry.method == "exact") }
        #expect(list["dropped"]?.intValue == Int64(dropped.count))
        #expect(list["documents"]?.intValue == Int64(corpus.distinct.count + corpus.planted.count))
    }

    @Test func oneRankAndThreeRanksWriteIdenticalDropLists() throws {
        let dir = TemporaryDirectory()
        let corpus = try PlantedDuplicateCorpus.make(in: dir)
        let single = Self.options(corpus, out: dir.file("one"))
        _ = try CorpusDedupJob(options: single, log: { _ in }).run()

        // Three ranks at once, one thread each, meeting through the folder's markers.
        let errors = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        let group = DispatchGroup()
        for rank in 0..<3 {
            var options = Self.options(corpus, out: dir.file("three"))
            options.rank = try RankAssignment(rank: rank, worldSize: 3)
            options.threads = 1
            let job = CorpusDedupJob(options: options, log: { _ in })
            group.enter()
            Thread {
                do { _ = try job.run() }
                catch { errors.lock(); failures.append("\(error)"); errors.unlock() }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(failures.isEmpty)
        #expect(try Self.dropFiles(dir.file("one")) == Self.dropFiles(dir.file("three")))
    }

    @Test func spillingToDiskAndSeparatePassesGiveTheSameDropList() throws {
        let dir = TemporaryDirectory()
        let corpus = try PlantedDuplicateCorpus.make(in: dir)
        var reference = Self.options(corpus, out: dir.file("ref"))
        reference.keyShards = 1
        _ = try CorpusDedupJob(options: reference, log: { _ in }).run()

        // A memory budget far below the keys: sorted runs are spilled and merged.
        var small = reference
        small.outputDirectory = dir.file("small")
        small.memoryBytes = 64 << 10
        small.onlyPass = .signatures
        _ = try CorpusDedupJob(options: small, log: { _ in }).run()
        small.onlyPass = .clusters
        #expect(throws: YiError.self) { try CorpusDedupJob(options: small, log: { _ in }).run() }   // buckets not done
        small.onlyPass = .buckets
        _ = try CorpusDedupJob(options: small, log: { _ in }).run()
        let marker = try JSONParser.parse(String(contentsOfFile: dir.file("small/.done/buckets/near-0000.json"), encoding: .utf8))
        #expect((marker["spilled_runs"]?.intValue ?? 0) > 1)
        small.onlyPass = .clusters
        _ = try CorpusDedupJob(options: small, log: { _ in }).run()
        #expect(try Self.dropFiles(dir.file("ref")) == Self.dropFiles(dir.file("small")))
    }

    @Test func resumeRedoesOnlyUnfinishedWorkAndGivesTheSameResult() throws {
        let dir = TemporaryDirectory()
        let corpus = try PlantedDuplicateCorpus.make(in: dir)
        let options = Self.options(corpus, out: dir.file("dedup"))
        _ = try CorpusDedupJob(options: options, log: { _ in }).run()
        let first = try Self.dropFiles(options.outputDirectory)
        // An interrupted run: one part's and one shard's markers and the drop list gone.
        for path in [".done/signatures/part-00001.json", ".done/buckets/near-0003.json", "drop-list.json"] {
            try FileManager.default.removeItem(atPath: dir.file("dedup/" + path))
        }
        let summary = try CorpusDedupJob(options: options, log: { _ in }).run()
        #expect(summary.unitsRun[.signatures] == 1)
        #expect(summary.unitsRun[.buckets] == 1)
        #expect(try Self.dropFiles(options.outputDirectory) == first)
        // Other options in the same folder are refused.
        var other = options
        other.near = MinHashOptions(bands: 16)
        #expect(throws: YiError.self) { try CorpusDedupJob(options: other, log: { _ in }).run() }
    }
}
