import Foundation
import Testing
import YiCore
import YiShards
import YiTestSupport

/// Large files cut into slices (small `--part-bytes`) pack to the same documents, in the same
/// order, as whole files, and ranks still give the bytes of a single run.
@Suite(.serialized) struct SlicedInputPackTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    func pack(_ input: String, out: String, _ extra: [String]) -> (status: Int32, errors: [String]) {
        yiPrep(["pack", "--len", "8192,16384", "--tokenizer", model, "--out", out, "--quiet", "--threads", "1",
                "--shard-tokens", "200000"] + extra + [input])
    }

    /// A plain JSONL file and a multi-frame `.jsonl.zst` (frames of ten lines), from the shared corpus.
    func corpus(in dir: TemporaryDirectory) throws -> String {
        let lines = try String(contentsOfFile: Fixtures.requireShared("corpora/jsonl/corpus.jsonl"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\n" }
        let folder = dir.file("corpus")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/a.jsonl", contents: Data(lines[0..<60].joined().utf8))
        let frames = stride(from: 60, to: 120, by: 10).flatMap { TestCompressors.zstd(Array(lines[$0..<($0 + 10)].joined().utf8)) }
        _ = FileManager.default.createFile(atPath: folder + "/b.jsonl.zst", contents: Data(frames))
        return folder
    }

    /// Documents in run order (ordinals sort parts, then documents within a part).
    func documents(_ out: String) throws -> [[TokenID]] {
        try reassembledDocuments(out).sorted { $0.key < $1.key }.map(\.value)
    }

    @Test func slicedFilesPackLikeWholeFilesOnAnyNumberOfRanks() throws {
        let dir = TemporaryDirectory()
        let corpus = try corpus(in: dir)
        #expect(pack(corpus, out: dir.file("whole"), ["--part-bytes", "100000000"]).status == 0)
        let small = ["--part-bytes", "40000"]
        #expect(pack(corpus, out: dir.file("sliced"), small).status == 0)

        let whole = try documents(dir.file("whole"))
        #expect(whole.count == 120)
        #expect(try documents(dir.file("sliced")) == whole)

        let manifest = try Manifest.read(path: dir.file("sliced") + "/manifest.json")
        let slices = manifest.inputs.filter { $0.start != nil }
        #expect(Set(slices.map { ($0.path as NSString).lastPathComponent }) == ["a.jsonl", "b.jsonl.zst"])
        #expect(manifest.inputs.filter { $0.path.hasSuffix("a.jsonl") }.count >= 3)
        #expect(manifest.counters["documents.packed"] == 120)
        // Slices of a file are contiguous and cover it.
        for name in ["a.jsonl", "b.jsonl.zst"] {
            let ranges = manifest.inputs.filter { $0.path.hasSuffix("/" + name) }
            #expect(ranges.first?.start == 0)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.end == $1.start })
            #expect(ranges.reduce(0) { $0 + $1.bytes } == ranges.last?.end)
        }

        for rank in 0..<3 {
            #expect(pack(corpus, out: dir.file("ranks"), small + ["--rank", "\(rank)", "--world-size", "3"]).status == 0)
        }
        #expect(yiPrep(["merge", dir.file("ranks")]).status == 0)
        #expect(try folderContents(dir.file("ranks")) == (try folderContents(dir.file("sliced"))))
    }
}
