import Foundation
import Testing
import YiTestSupport

/// Numbers far outside what an option can mean are usage errors (exit 2) naming the option, not
/// traps. Each of these once crashed: an overflow (`--len` near Int.max in the default best-fit
/// window, `--threads` in the work queue's size, `--bands × --rows`, `--width` in the bars), an
/// allocation of one counter per rank (`--world-size`), a Double-to-Int conversion (`evalset
/// --len`); `--key-shards` and `evalset --count` near Int.max ran until killed. The general probe
/// over every option is `tools/fuzz/cli_numbers.py` (docs/reliability.md).
@Suite struct OutOfRangeOptionTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    @Test func hostileNumbersAreUsageErrors() throws {
        let dir = TemporaryDirectory()
        let small = ExitCodeTests.smallCorpus(dir)
        let huge = String(Int.max)
        let pack = ["pack", "--tokenizer", model, "--quiet", small, "--out"]
        let dedup = ["dedup", small, "--near", "--quiet", "--out"]
        let cases: [([String], String)] = [
            (pack + [dir.file("p1"), "--len", huge], "sequence length \(huge) is out of range 1...2147483647"),
            (pack + [dir.file("p2"), "--shard-tokens", "0"], "--shard-tokens must be at least 1 (got 0)"),
            (pack + [dir.file("p3"), "--threads", huge], "--threads must be in 1...4096 (got \(huge))"),
            (pack + [dir.file("p4"), "--threads", "0"], "--threads must be in 1...4096 (got 0)"),
            (pack + [dir.file("p5"), "--rank", "0", "--world-size", huge], "--world-size must be in 1...4194304 (got \(huge))"),
            (dedup + [dir.file("d1"), "--ngram", huge], "--ngram must be in 1...64 (got \(huge))"),
            (dedup + [dir.file("d2"), "--bands", huge], "--bands must be in 1...4096"),
            (dedup + [dir.file("d3"), "--rows", "0"], "--rows must be in 1...64 (got 0)"),
            (dedup + [dir.file("d4"), "--key-shards", huge], "--key-shards must be in 1...65536"),
            (["evalset", "--kind", "passkey", "--tokenizer", model, "--len", huge], "above the largest supported prompt"),
            (["evalset", "--kind", "passkey", "--tokenizer", model, "--len", "512", "--count", huge], "--count must be in 1...1000000"),
        ]
        for (arguments, mention) in cases {
            let result = yiPrep(arguments)
            #expect(result.status == 2, "\(arguments): \(result.errors)")
            #expect(result.errors.joined(separator: "\n").contains(mention), "\(arguments): \(result.errors)")
        }
        for name in ["p1", "p2", "p3", "p4", "p5", "d1", "d2", "d3", "d4"] {
            #expect(!FileManager.default.fileExists(atPath: dir.file(name)), "a refused start writes nothing (\(name))")
        }
        // stats reads a finished output; a width beyond the terminal range is refused the same way.
        #expect(yiPrep(pack + [dir.file("ok")]).status == 0)
        let wide = yiPrep(["stats", dir.file("ok"), "--width", huge])
        #expect(wide.status == 2 && wide.errors.joined().contains("--width must be in 20...1000"), "\(wide.errors)")
    }
}
