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

        // Three ranks at once, one thread each, meeting through the folder's markers, with a
        // memory budget that makes every sort of every pass spill.
        let errors = NSLock()
        nonisolated(unsafe) var failures: [String] = []
        let group = DispatchGroup()
        for rank in 0..<3 {
            var options = Self.options(corpus, out: dir.file("three"))
            options.rank = try RankAssignment(rank: rank, worldSize: 3)
            options.threads = 1
            options.memoryBytes = 16 << 10
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
        #expect(!FileManager.default.fileExists(atPath: dir.file("three/cc")))   // working files removed
        let spilled = try FileManager.default.contentsOfDirectory(atPath: dir.file("three/.done/clusters")).filter { $0.hasPrefix("round-") }
            .map { try JSONParser.parse(String(contentsOfFile: dir.file("three/.done/clusters/" + $0), encoding: .utf8))["spilled_runs"]?.intValue ?? 0 }
        #expect(spilled.max() ?? 0 > 1)
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

/// The clusters pass (distributed connected components and the drop-list joins) on link graphs
/// written by hand: shapes the planted corpus cannot make, checked against a union-find.
@Suite struct DedupClusterPassTests {
    /// Documents per part of the hand-made folder.
    static let perPart = [150, 90, 200, 60]

    /// A dedup folder with `docs/` for `perPart` and the given links (one link shard per kind).
    static func folder(_ dir: TemporaryDirectory, name: String, near: [(UInt64, UInt64)], exact: [(UInt64, UInt64)]) throws -> DedupFolder {
        let folder = DedupFolder(path: dir.file(name))
        try folder.prepare(fingerprint: "test", force: false)
        for (part, count) in perPart.enumerated() {
            let lines = (0..<count).map { "[\"src\(part % 2)\",\"/in/\(part).jsonl\",\"@\($0 * 10)\",\"d\(part)-\($0)\"]\n" }
            try lines.joined().write(toFile: folder.docsPath(part: part), atomically: true, encoding: .utf8)
        }
        for (kind, links) in [(KeyShard.Kind.near, near), (.exact, exact)] {
            let writer = try AtomicFileWriter(path: folder.linksPath(KeyShard(kind: kind, index: 0)))
            for (a, b) in links { try writer.writeLittleEndian(a); try writer.writeLittleEndian(b) }
            try writer.commit()
        }
        return folder
    }

    static var parts: [WorkPart] { perPart.indices.map { WorkPart(index: $0, inputs: $0..<$0 + 1, bytes: 1) } }

    static func ordinal(_ part: Int, _ local: Int) -> UInt64 { DedupSignaturePass.ordinal(part: part, local: local) }

    /// Runs the pass on `ranks` concurrent threads; returns the round count and the drop files.
    static func run(_ folder: DedupFolder, ranks: Int, memory: Int, shards: Int) throws -> (rounds: Int, files: [String: String]) {
        let linkShards = [KeyShard(kind: .exact, index: 0), KeyShard(kind: .near, index: 0)]
        let failures = NSLock()
        nonisolated(unsafe) var errors: [String] = []
        let group = DispatchGroup()
        for rank in 0..<ranks {
            var options = CorpusDedupOptions(inputs: [], outputDirectory: folder.path)
            options.keyShards = shards
            options.memoryBytes = memory
            options.rank = try RankAssignment(rank: rank, worldSize: ranks)
            let pass = DedupClusterPass(parts: parts, linkShards: linkShards, options: options, folder: folder, fingerprint: "test",
                                        awaitUnits: { names in
                                            while names.contains(where: { folder.marker(.clusters, $0, fingerprint: "test") == nil }) {
                                                Thread.sleep(forTimeInterval: 0.005)
                                            }
                                        }, log: { _ in })
            group.enter()
            Thread {
                do { _ = try pass.run() } catch { failures.lock(); errors.append("\(error)"); failures.unlock() }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(errors.isEmpty, "\(errors)")
        let rounds = try FileManager.default.contentsOfDirectory(atPath: folder.join(".done", "clusters"))
            .filter { $0.hasPrefix("round-") }.map { Int($0.dropFirst(6).prefix(3))! }.max() ?? 0
        var files: [String: String] = [:]
        for part in perPart.indices { files[WorkPart.name(part)] = try String(contentsOfFile: folder.dropPath(part: part), encoding: .utf8) }
        return (rounds, files)
    }

    /// A chain over documents in a scrambled order: each shares a key only with the next, so
    /// the component's smallest ordinal is far from most members and several rounds are needed.
    /// Also: small clusters, exact links, a star, and documents in no cluster.
    @Test func longChainsAndManyRanksAndTinyMemoryGiveTheUnionFindClusters() throws {
        var rng = SplitMix64(seed: 14)
        var all: [UInt64] = []
        for (part, count) in Self.perPart.enumerated() { all += (0..<count).map { Self.ordinal(part, $0) } }
        var pool = all
        for i in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let chain = Array(pool[0..<300])
        var near: [(UInt64, UInt64)] = []
        // The buckets pass links the later document to the earlier one.
        for i in 1..<chain.count { near.append((max(chain[i], chain[i - 1]), min(chain[i], chain[i - 1]))) }
        for pair in stride(from: 300, to: 360, by: 2) { near.append((max(pool[pair], pool[pair + 1]), min(pool[pair], pool[pair + 1]))) }
        let hub = pool[360...380].min()!
        for member in pool[360...380] where member != hub { near.append((member, hub)) }
        var exact: [(UInt64, UInt64)] = []
        for pair in stride(from: 381, to: 421, by: 2) { exact.append((max(pool[pair], pool[pair + 1]), min(pool[pair], pool[pair + 1]))) }
        // One exact pair that is also near-linked into the chain.
        exact.append((max(chain[5], pool[421]), min(chain[5], pool[421])))
        near.shuffle(using: &rng)

        // Ground truth by union-find.
        var parent: [UInt64: UInt64] = [:]
        func find(_ x: UInt64) -> UInt64 { var x = x; while let p = parent[x], p != x { x = p }; return x }
        for (a, b) in near + exact {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        let exactCopies = Set(exact.map(\.0))

        let dir = TemporaryDirectory()
        let reference = try Self.run(Self.folder(dir, name: "one", near: near, exact: exact), ranks: 1, memory: 1 << 30, shards: 3)
        #expect(reference.rounds >= 6, "a scrambled chain of 300 needs more than one Large/Small pair")
        var seen = 0
        for (part, count) in Self.perPart.enumerated() {
            let lines = reference.files[WorkPart.name(part)]!.split(separator: "\n").map { try! JSONParser.parse(String($0)) }
            let expected = (0..<count).map { Self.ordinal(part, $0) }.filter { find($0) != $0 }
            #expect(lines.map { UInt64($0["ordinal"]!.intValue!) } == expected)   // every dropped one, in input order
            for line in lines {
                let member = UInt64(line["ordinal"]!.intValue!), root = find(member)
                #expect(UInt64(line["cluster"]!.intValue!) == root)
                #expect(line["kept"]?["id"]?.stringValue == "d\(root >> 40)-\(root & 0xFF_FFFF_FFFF)")
                #expect(line["method"]?.stringValue == (exactCopies.contains(member) ? "exact" : "near"))
                seen += 1
            }
        }
        #expect(seen == 299 + 30 + 20 + 20 + 1)

        // Three ranks at once with a budget that spills every sort: the same files.
        let tiny = try Self.run(Self.folder(dir, name: "three", near: near, exact: exact), ranks: 3, memory: 512, shards: 3)
        #expect(tiny.files == reference.files)
        #expect(tiny.rounds == reference.rounds)
        for step in ["round-001-", "kept-", "drop-"] {
            let spilled = try FileManager.default.contentsOfDirectory(atPath: dir.file("three/.done/clusters")).filter { $0.hasPrefix(step) }
                .map { try JSONParser.parse(String(contentsOfFile: dir.file("three/.done/clusters/" + $0), encoding: .utf8))["spilled_runs"]?.intValue ?? 0 }
            #expect(spilled.max() ?? 0 > 1, "\(step) spills")
        }
    }
}
