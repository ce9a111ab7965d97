import Foundation
import Testing
import YiCore
import YiPipeline
import YiPrepCLI
import YiShards
import YiTestSupport
import YiTokenizer

@Suite(.serialized) struct PackCommandTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    func pack(_ inputs: [String], out: String, _ extra: [String] = []) -> (status: Int32, errors: [String]) {
        yiPrep(["pack", "--len", "8192,16384", "--tokenizer", model, "--out", out, "--quiet"] + extra + inputs)
    }

    /// The quick start: samples/ packed, verified, and every document's tokens + EOS found exactly
    /// once, in order, against an independent tokenization of the same texts.
    @Test func samplesPackLosslessly() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("packed")
        let books = Fixtures.repoPath("samples/public-domain-books.jsonl")
        #expect(pack([books], out: out).status == 0)
        #expect(try DatasetVerifier.verify(path: out).isSound)

        let encoder = SentencePieceEncoder(model: try SentencePieceModel(contentsOf: model))
        // YiCore's parser: Foundation's JSONSerialization drops the leading U+FEFF of the English book.
        let texts = try String(contentsOfFile: books, encoding: .utf8).split(separator: "\n").map { line -> String in
            try JSONParser.parse(String(line))["text"]!.stringValue!
        }
        let documents = try reassembledDocuments(out)
        #expect(documents.count == texts.count)
        for (ordinal, text) in texts.enumerated() {
            let expected = encoder.encode(text) + [2]
            #expect(documents[ordinal] == expected, "document \(ordinal): \(documents[ordinal]?.count ?? 0) tokens, expected \(expected.count)")
        }
        let manifest = try Manifest.read(path: out + "/manifest.json")
        for bucket in manifest.buckets {
            #expect(bucket.tokens == bucket.sequences * bucket.sequenceLength)
        }
        #expect(manifest.counters["documents.packed"] == texts.count)
        #expect(manifest.sources == ["gutenberg-en", "gutenberg-zh"])
    }

    /// Same inputs and options → the same bytes, whatever the thread count; a distributed run
    /// (two ranks + merge) is byte-identical to a single run.
    @Test func deterministicAcrossThreadsAndRanks() throws {
        let dir = TemporaryDirectory()
        let shards = Fixtures.requireShared("corpora/jsonl_zst")
        let small = ["--part-bytes", "100000", "--shard-tokens", "200000"]
        #expect(pack([shards], out: dir.file("t1"), small + ["--threads", "1"]).status == 0)
        #expect(pack([shards], out: dir.file("t2"), small + ["--threads", "2"]).status == 0)
        let single = try folderContents(dir.file("t1"))
        #expect(single.count > 10)
        #expect(single == (try folderContents(dir.file("t2"))))

        for rank in 0..<2 {
            #expect(pack([shards], out: dir.file("ranks"), small + ["--rank", "\(rank)", "--world-size", "2", "--threads", "1"]).status == 0)
        }
        #expect(yiPrep(["merge", dir.file("ranks")]).status == 0)
        #expect(single == (try folderContents(dir.file("ranks"))))
    }

    /// A killed run (a part without marker, a half-written shard) resumes to the same bytes.
    @Test func resumeAfterKillGivesTheSameBytes() throws {
        let dir = TemporaryDirectory()
        let shards = Fixtures.requireShared("corpora/jsonl_zst")
        let small = ["--part-bytes", "100000"]
        #expect(pack([shards], out: dir.file("full"), small).status == 0)
        let expected = try folderContents(dir.file("full"))
        // Running a finished run again is a no-op.
        #expect(pack([shards], out: dir.file("full"), small).status == 0)
        #expect(try folderContents(dir.file("full")) == expected)

        let killed = dir.file("killed")
        #expect(pack([shards], out: killed, small).status == 0)
        // Simulate a kill during part 1: its marker and .idx never appeared, a temp file is left.
        let fm = FileManager.default
        try fm.removeItem(atPath: killed + "/manifest.json")
        try fm.removeItem(atPath: killed + "/.parts/part-00001.json")
        try fm.removeItem(atPath: killed + "/len-16384/shard-00001-00000.idx")
        _ = fm.createFile(atPath: killed + "/len-16384/shard-00001-00000.idx.tmp-999", contents: Data([1, 2, 3]))

        let refused = pack([shards], out: killed, small)
        #expect(refused.status == YiError.Code.outputState.exitStatus)
        #expect(refused.errors.joined().contains("--resume"))
        #expect(pack([shards], out: killed, small + ["--resume"]).status == 0)
        #expect(try folderContents(killed) == expected)

        // A finished part (its marker still there) whose shard was cut short since is redone.
        let cut = killed + "/len-16384/shard-00000-00000.bin"
        let handle = try #require(FileHandle(forWritingAtPath: cut))
        try handle.truncate(atOffset: 100)
        try handle.close()
        try fm.removeItem(atPath: killed + "/manifest.json")
        #expect(pack([shards], out: killed, small + ["--resume"]).status == 0)
        #expect(try folderContents(killed) == expected)

        // Other options into the same folder are refused, --force replaces.
        let other = pack([shards], out: killed, ["--strategy", "concat"])
        #expect(other.status == YiError.Code.outputState.exitStatus)
        #expect(pack([shards], out: killed, ["--strategy", "concat", "--force"]).status == 0)
    }

    /// Damaged files keep the documents before the damage and end with exit 3 (0 when allowed);
    /// rejected records are counted and written to the rejects file; --strict stops with 4.
    @Test func damagedInputsAndRejects() throws {
        let dir = TemporaryDirectory()
        let truncated = Fixtures.requireShared("corpora/damaged/truncated.jsonl.zst")
        let good = Fixtures.repoPath("samples/public-domain-books.jsonl")
        let run = pack([truncated, good], out: dir.file("a"))
        #expect(run.status == YiError.Code.corruptInput.exitStatus)
        #expect(run.errors.contains { $0.contains("truncated.jsonl.zst") })
        let manifest = try Manifest.read(path: dir.file("a") + "/manifest.json")
        #expect(manifest.counters["documents.packed"] > 6, "documents before the damage are kept")
        #expect(pack([truncated, good], out: dir.file("b"), ["--allow-damaged"]).status == 0)

        let malformed = Fixtures.requireShared("corpora/damaged/malformed_lines.jsonl")
        let rejects = dir.file("rejects.jsonl")
        #expect(pack([malformed], out: dir.file("c"), ["--rejects", rejects]).status == 0)
        let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        let counted = try Manifest.read(path: dir.file("c") + "/manifest.json").counters.withPrefix("rejected.")
        #expect(!lines.isEmpty && lines.count == counted.reduce(0) { $0 + $1.1 })
        #expect(pack([malformed], out: dir.file("d"), ["--strict"]).status == YiError.Code.rejectedRecord.exitStatus)
    }

    @Test func usageErrors() {
        let dir = TemporaryDirectory()
        #expect(pack(["samples"], out: dir.file("x"), ["--strategy", "bogus"]).status == 2)
        #expect(yiPrep(["pack", "--len", "0", "--tokenizer", model, "samples"]).status == 2)
        #expect(yiPrep(["pack", "--tokenizer", dir.file("missing.model"), "--out", dir.file("y"), "samples"]).status != 0)
    }
}
