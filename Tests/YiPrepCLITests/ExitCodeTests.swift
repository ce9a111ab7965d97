import Foundation
import Testing
import YiCore
import YiShards
import YiTestSupport

/// Every status of the documented exit-code table (README "Exit codes"), from real command
/// lines. The numbers are written out: the table is the contract, not `Code.exitStatus`.
@Suite(.serialized) struct ExitCodeTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    /// A few small good documents, so the packing runs stay fast.
    static func smallCorpus(_ dir: TemporaryDirectory, name: String = "small.jsonl", documents: Int = 5) -> String {
        let lines = (0..<documents).map { "{\"id\": \"d\($0)\", \"text\": \"Document \($0): The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸。\"}" }
        return dir.write(name, lines.joined(separator: "\n") + "\n")
    }

    func pack(_ inputs: [String], out: String, _ extra: [String] = []) -> (status: Int32, errors: [String]) {
        yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", out, "--quiet"] + extra + inputs)
    }

    @Test func zeroOnSuccess() {
        let dir = TemporaryDirectory()
        #expect(pack([Self.smallCorpus(dir)], out: dir.file("out")).status == 0)
        #expect(yiPrep(["verify", dir.file("out")]).status == 0)
    }

    @Test func oneForAnUnexpectedFailure() {
        // No command line provokes an unexpected failure on purpose; every code not in the table is 1.
        #expect(YiError.Code(rawValue: "something-new").exitStatus == 1)
    }

    /// A missing or unreadable input is a usage/input error (2) for every command, as bad flags are.
    @Test func twoForUsageAndMissingOrUnusableInputs() throws {
        let dir = TemporaryDirectory()
        let small = Self.smallCorpus(dir)
        let notes = dir.write("notes.tsv", "a\tb\n")
        let cases: [([String], String)] = [
            (["pack", "--tokenizer", model, "--out", dir.file("o1"), "/nonexistent.jsonl"], "/nonexistent.jsonl"),
            (["pack", "--tokenizer", model, "--out", dir.file("o2"), "-"], "standard input"),
            (["pack", "--tokenizer", model, "--out", dir.file("o3"), Fixtures.repoPath("samples/SOURCES.md")], "SOURCES.md"),
            (["pack", "--tokenizer", model, "--out", dir.file("o4"), notes, small], "notes.tsv"),
            (["pack", "--tokenizer", model, "--out", dir.file("o5"), "--len", "1", small], "minimum of 64"),
            (["pack", "--tokenizer", model, "--out", dir.file("o6"), "--part-bytes", "lots", small], "part-bytes"),
            (["pack", "--tokenizer", model, "--out", dir.file("o7"), "--strategy", "bogus", small], "--strategy"),
            (["rope", "--config", dir.file("nope.json"), "--target-len", "16384", "--method", "linear"], "nope.json"),
            (["stats", "/nonexistent"], "/nonexistent"),
            (["verify", "/nonexistent"], "/nonexistent"),
            (["tokenize", "--tokenizer", model, "/nonexistent.jsonl"], "/nonexistent.jsonl"),
        ]
        for (arguments, mention) in cases {
            let result = yiPrep(arguments)
            #expect(result.status == 2, "\(arguments): \(result.errors)")
            #expect(result.errors.joined(separator: "\n").contains(mention), "\(arguments): \(result.errors)")
        }
        for n in 1...7 { #expect(!FileManager.default.fileExists(atPath: dir.file("o\(n)")), "a refused start writes nothing") }
        // Found in a folder, an unsupported file is a reported skip, not an error.
        let folder = dir.file("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: small, toPath: folder + "/small.jsonl")
        try FileManager.default.copyItem(atPath: notes, toPath: folder + "/notes.tsv")
        #expect(pack([folder], out: dir.file("o8")).status == 0)
    }

    @Test func threeForDamagedInput() {
        let dir = TemporaryDirectory()
        let truncated = Fixtures.requireShared("corpora/damaged/truncated.jsonl.zst")
        #expect(pack([truncated], out: dir.file("out")).status == 3)
    }

    @Test func fourForARejectedRecordUnderStrict() {
        let dir = TemporaryDirectory()
        let malformed = Fixtures.requireShared("corpora/damaged/malformed_lines.jsonl")
        #expect(pack([malformed], out: dir.file("out"), ["--strict"]).status == 4)
    }

    @Test func fiveWhenVerifyFindsAProblem() throws {
        let dir = TemporaryDirectory()
        #expect(pack([Self.smallCorpus(dir)], out: dir.file("out")).status == 0)
        let bin = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("out/len-8192")).first { $0.hasSuffix(".bin") })
        let path = dir.file("out/len-8192/" + bin)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(yiPrep(["verify", dir.file("out")]).status == 5)
    }

    @Test func sixForATokenizerProblem() {
        let dir = TemporaryDirectory()
        let result = yiPrep(["pack", "--tokenizer", dir.file("missing.model"), "--out", dir.file("out"), Self.smallCorpus(dir)])
        #expect(result.status == 6, "\(result.errors)")
    }

    @Test func sevenForAnOutputProblem() {
        let dir = TemporaryDirectory()
        let small = Self.smallCorpus(dir)
        let aFile = dir.write("a-file", "x")
        #expect(pack([small], out: aFile + "/out").status == 7, "the output folder cannot be made")
        #expect(pack([small], out: dir.file("out"), ["--rejects", aFile + "/rejects.jsonl"]).status == 7)
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")), "a failed start leaves no output folder behind")
        #expect(pack([small], out: dir.file("out")).status == 0, "and so needs no --force afterwards")
        let other = Self.smallCorpus(dir, name: "other.jsonl", documents: 3)
        #expect(pack([other], out: dir.file("out")).status == 7, "another run's output is not touched")
    }
}
