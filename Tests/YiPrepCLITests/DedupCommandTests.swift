import Foundation
import Testing
import YiCore
import YiShards
import YiTestSupport

@Suite(.serialized) struct DedupCommandTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    /// dedup, then pack with the drop list and another part size (so plain files are sliced
    /// differently): exactly the listed documents are skipped, counted by source.
    @Test func packSkipsExactlyTheDropListWhateverItsPartSize() throws {
        let dir = TemporaryDirectory()
        let corpus = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
        let lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n")
        // Copies of every 20th document, as whole lines and with their text's spacing doubled.
        var copies = ""
        for (n, line) in lines.enumerated() where n % 20 == 0 {
            let record = try JSONParser.parse(String(line))
            let text = record["text"]!.stringValue!
            copies += JSONWriter.string(.object([("text", .string(n % 40 == 0 ? text : text.replacingOccurrences(of: " ", with: "   "))),
                                                 ("source", .string("copies"))])) + "\n"
        }
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: corpus, toPath: dir.file("in/a.jsonl"))
        dir.write("in/b.jsonl", copies)

        let dedup = yiPrep(["dedup", dir.file("in"), "--exact", "--near", "--out", dir.file("dedup"), "--part-bytes", "300000",
                            "--key-shards", "4", "--quiet"])
        #expect(dedup.status == 0, "\(dedup.errors)")
        let list = try JSONParser.parse(String(contentsOfFile: dir.file("dedup/drop-list.json"), encoding: .utf8))
        let dropped = Int(list["dropped"]!.intValue!)
        #expect(dropped >= (lines.count + 19) / 20)
        #expect(list["sources"]!["copies"]!["dropped"]!.intValue == Int64((lines.count + 19) / 20))

        let out = dir.file("packed")
        let pack = yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", out, "--quiet", "--part-bytes", "700000",
                           "--drop-list", dir.file("dedup"), dir.file("in")])
        #expect(pack.status == 0, "\(pack.errors)")
        #expect(!pack.errors.contains { $0.contains("warning: the drop list") })
        let manifest = try Manifest.read(path: out + "/manifest.json")
        #expect(manifest.counters["dropped.dedup.corpus"] == dropped)
        #expect(manifest.counters["duplicates.source.copies"] == (lines.count + 19) / 20)

        // stats shows them by source.
        let stats = try StatsCollector.collect(path: out)
        #expect(stats.duplicatesBySource.first { $0.name == "copies" }?.count == (lines.count + 19) / 20)

        // Without the drop list every document is packed.
        let plain = dir.file("plain")
        #expect(yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", plain, "--quiet", dir.file("in")]).status == 0)
        let all = try Manifest.read(path: plain + "/manifest.json")
        #expect(all.counters["documents.packed"] == manifest.counters["documents.packed"] + dropped)

        // A folder that is not a finished dedup is a usage error.
        #expect(yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", dir.file("x"), "--drop-list", dir.file("in"), dir.file("in")]).status == 2)
        #expect(yiPrep(["dedup", dir.file("in"), "--out", dir.file("y")]).status == 2)   // neither --exact nor --near
    }

    /// A multi-frame `.jsonl.zst` cut into slices: dedup and pack cut it differently, yet pack
    /// skips exactly the listed documents, because lines are named by their decompressed offset
    /// (the frames state their content sizes).
    @Test func slicedZstdInputIsMatchedWhateverItsPartSize() throws {
        let dir = TemporaryDirectory()
        let corpus = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
        var lines = try String(contentsOfFile: corpus, encoding: .utf8).split(separator: "\n").map(String.init)
        let copies = stride(from: 0, to: lines.count, by: 15).map { lines[$0] }
        lines += copies
        var file: [UInt8] = []
        for start in stride(from: 0, to: lines.count, by: 12) {
            file += TestCompressors.zstd(Array((lines[start..<min(lines.count, start + 12)].joined(separator: "\n") + "\n").utf8))
        }
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir.file("in/a.jsonl.zst"), contents: Data(file)))

        let dedup = yiPrep(["dedup", dir.file("in"), "--exact", "--out", dir.file("dedup"), "--part-bytes", "90000",
                            "--key-shards", "2", "--quiet"])
        #expect(dedup.status == 0, "\(dedup.errors)")
        let list = try JSONParser.parse(String(contentsOfFile: dir.file("dedup/drop-list.json"), encoding: .utf8))
        #expect((list["inputs"].flatMap { if case .array(let a) = $0 { return a.count } else { return nil } } ?? 0) > 3)   // sliced
        #expect(list["dropped"]?.intValue == Int64(copies.count))
        let first = try String(contentsOfFile: dir.file("dedup/drop/part-00000.jsonl"), encoding: .utf8)
        #expect(!first.contains("\"id:"))   // named by offset, not by frame

        for partBytes in ["250000", "100000000"] {
            let out = dir.file("packed-" + partBytes)
            let pack = yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", out, "--quiet", "--part-bytes", partBytes,
                               "--drop-list", dir.file("dedup"), dir.file("in")])
            #expect(pack.status == 0, "\(pack.errors)")
            #expect(!pack.errors.contains { $0.contains("warning: the drop list") }, "\(pack.errors)")
            let manifest = try Manifest.read(path: out + "/manifest.json")
            #expect(manifest.counters["dropped.dedup.corpus"] == copies.count)
        }
    }

    /// `dedup` killed (SIGKILL, the `YI_TEST_WRITE_FAULT` hook) at points inside the clusters
    /// pass: no drop list appears, and running the same command again finishes it byte-identically.
    @Test func killedInTheClustersPassResumesByteIdentically() throws {
        let dir = TemporaryDirectory()
        let lines = try String(contentsOfFile: Fixtures.requireShared("corpora/jsonl/corpus.jsonl"), encoding: .utf8)
            .split(separator: "\n").prefix(60).map(String.init)
        try FileManager.default.createDirectory(atPath: dir.file("in"), withIntermediateDirectories: true)
        dir.write("in/a.jsonl", (lines + lines.enumerated().filter { $0.offset % 4 == 0 }.map(\.element)).joined(separator: "\n") + "\n")
        func arguments(_ out: String) -> [String] {
            ["dedup", dir.file("in"), "--exact", "--near", "--out", out, "--part-bytes", "60000", "--key-shards", "3", "--threads", "1", "--quiet"]
        }
        func dropFiles(_ out: String) throws -> [String: Data] {
            var files: [String: Data] = ["drop-list.json": try Data(contentsOf: URL(fileURLWithPath: out + "/drop-list.json"))]
            for name in try FileManager.default.contentsOfDirectory(atPath: out + "/drop") {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: out + "/drop/" + name))
            }
            return files
        }
        // The fingerprint names the input paths, so every run reads the same folder.
        let trace = try ChildProcess.yiPrep(arguments(dir.file("reference")), environment: ["YI_TEST_WRITE_FAULT": "trace"])
        #expect(trace.status == 0, "\(trace.standardError)")
        let expected = try dropFiles(dir.file("reference"))
        #expect(expected.count > 2)
        let clusters = WriteEvent.parse(trace.standardError).filter { $0.path.contains("/cc/") || $0.path.contains("/.done/clusters/")
            || $0.path.contains("/drop/") || $0.path.hasSuffix("drop-list.json") || $0.path.contains("drop-list.json.tmp-") }
        var points = [clusters.first { $0.kind == "write" && $0.path.contains("/cc/round-") },
                      clusters.first { $0.kind == "rename" && $0.path.contains("/.done/clusters/round-") },
                      clusters.first { $0.kind == "renamed" && $0.path.contains("/cc/kept-") },
                      clusters.first { $0.kind == "write" && $0.path.contains("/drop/part-") },
                      clusters.first { $0.kind == "rename" && $0.path.hasSuffix("drop-list.json") },
                      clusters.first { $0.kind == "renamed" && $0.path.hasSuffix("drop-list.json") }].compactMap { $0 }
        #expect(points.count == 6)
        var generator = SplitMix64(seed: 14)
        while points.count < 7 { points.append(clusters[Int(generator.next() % UInt64(clusters.count))]) }
        for event in points {
            let out = dir.file("kill-\(event.number)")
            let killed = try ChildProcess.yiPrep(arguments(out), environment: ["YI_TEST_WRITE_FAULT": "kill:\(event.number)"])
            #expect(killed.signal == SIGKILL, "event \(event): the hook did not kill (status \(killed.status))")
            #expect((event.kind == "renamed" && event.path.hasSuffix("drop-list.json")) || !FileManager.default.fileExists(atPath: out + "/drop-list.json"))
            let resumed = try ChildProcess.yiPrep(arguments(out))
            #expect(resumed.status == 0, "resume after event \(event): \(resumed.standardError)")
            #expect(try dropFiles(out) == expected, "resume after a kill at event \(event) differs")
            #expect(!FileManager.default.fileExists(atPath: out + "/cc"))
            try? FileManager.default.removeItem(atPath: out)
        }
    }
}
