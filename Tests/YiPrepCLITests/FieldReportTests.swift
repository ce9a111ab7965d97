import ArgumentParser
import Foundation
import Testing
import YiCore
import YiPacking
import YiPipeline
@testable import YiPrepCLI
import YiShards
import YiTestSupport

/// Fixes from a new user's field report: progress over many parts and off a terminal, sizes,
/// length sanity, rerun summaries, and output paths under `--out`.
@Suite(.serialized) struct FieldReportTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    /// Four small files, in several parts (a part holds at most the largest file).
    func fourPartOptions(_ dir: TemporaryDirectory) throws -> PackOptions {
        let files = (0..<4).map { ExitCodeTests.smallCorpus(dir, name: "f\($0).jsonl", documents: 3 + $0) }
        var options = PackOptions(inputs: [InputGroup(paths: files)], outputDirectory: dir.file("out"), tokenizerPath: model,
                                  packing: try PackingOptions(lengths: [8192]).validated())
        options.partBytes = files.map { Int64((try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0) }.max()!
        options.threads = 1
        options.progress = ProgressSettings(mode: .log, logInterval: 0)
        return options
    }

    /// The progress figures are run totals: the last line counts every document of every part.
    @Test func progressCountsTheWholeRunInTimestampedLines() throws {
        let dir = TemporaryDirectory()
        let job = PackJob(options: try fourPartOptions(dir), log: { _ in })
        var text = ""
        job.progressOutput = { text += $0 }
        let summary = try job.run()
        #expect(summary.partsRun >= 2)
        let documents = try #require(summary.manifest).counters["documents.in"]
        #expect(documents == 3 + 4 + 5 + 6)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2)
        #expect(lines.allSatisfy { $0.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ pack "#, options: .regularExpression) != nil }, "\(lines)")
        let counts = lines.compactMap { line in line.range(of: #"\d+ docs"#, options: .regularExpression).map { Int(line[$0].split(separator: " ")[0])! } }
        #expect(counts == counts.sorted(), "totals never go back at a part boundary: \(counts)")
        #expect(lines.last?.contains("\(documents) docs") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("done") == true)
    }

    @Test func progressModes() {
        var snapshot = ProgressReporter.Snapshot()
        snapshot.documents = 7
        func output(_ settings: ProgressSettings, terminal: Bool) -> String {
            var text = ""
            let reporter = ProgressReporter(label: "pack", settings: settings, isTerminal: terminal) { text += $0 }
            reporter.update(snapshot)
            reporter.finish(snapshot)
            return text
        }
        #expect(output(ProgressSettings(mode: .auto, logInterval: 0), terminal: false).hasSuffix("done\n"), "off a terminal: log lines")
        #expect(output(ProgressSettings(mode: .auto, logInterval: 0), terminal: true).hasPrefix("\r"), "on a terminal: a bar")
        #expect(output(ProgressSettings(mode: .none), terminal: true).isEmpty)
        #expect(output(ProgressSettings(mode: .log, logInterval: 3600), terminal: false).isEmpty, "a short run logs nothing")
        #expect(yiPrep(["pack", "--progress", "sometimes", "samples"]).status == 2)
    }

    /// A rerun that finds every part done reports the run's totals, and keeps its rejects file.
    @Test func rerunSummaryComesFromTheMarkers() throws {
        let dir = TemporaryDirectory()
        let malformed = Fixtures.requireShared("corpora/damaged/malformed_lines.jsonl")
        var options = PackOptions(inputs: [InputGroup(paths: [malformed])], outputDirectory: dir.file("out"), tokenizerPath: model,
                                  packing: try PackingOptions(lengths: [8192]).validated())
        options.progress = ProgressSettings(mode: .none)
        options.rejectsPath = dir.file("rejects.jsonl")
        let first = try PackJob(options: options, log: { _ in }).run()
        let rejected = try #require(first.manifest).counters.withPrefix("rejected.").reduce(0) { $0 + $1.1 }
        #expect(rejected > 0)
        let rejectLines = try String(contentsOfFile: dir.file("rejects.jsonl"), encoding: .utf8)
        let second = try PackJob(options: options, log: { _ in }).run()
        #expect(second.partsRun == 0 && second.partsSkipped == 1)
        let report = PackReport.lines(second, options: options)
        #expect(report.contains { $0.hasSuffix("rejected records: \(rejected)") }, "\(report)")
        #expect(try String(contentsOfFile: dir.file("rejects.jsonl"), encoding: .utf8) == rejectLines)
    }

    /// One size parser for flags and pipeline files; help texts without doubled defaults.
    @Test func sizesAndHelp() throws {
        #expect(ByteCount(argument: "32MiB")?.bytes == 32 << 20)
        #expect(ByteCount(argument: "4GiB")?.bytes == 4 << 30)
        #expect(ByteCount(argument: "1e6")?.bytes == 1_000_000)
        #expect(ByteCount(argument: "0") == nil && ByteCount(argument: "big") == nil)
        let help = YiPrep.helpMessage(for: PackCommand.self, columns: 400)
        #expect(help.contains("(default: 1GiB)"), "\(help)")
        let padLine = try #require(help.split(separator: "\n").first { $0.contains("--pad-id") })
        #expect(padLine.components(separatedBy: "default").count == 2, "the default is printed once: \(padLine)")
        let stats = YiPrep.helpMessage(for: StatsCommand.self, columns: 400)
        #expect(stats.contains("docs/formats.md"))
        let dir = TemporaryDirectory()
        let result = yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", dir.file("out"), "--quiet",
                             "--part-bytes", "32MiB", ExitCodeTests.smallCorpus(dir)])
        #expect(result.status == 0, "\(result.errors)")
    }

    @Test func sequenceLengthSanity() throws {
        #expect(throws: YiError.self) { try PackingOptions.checkSequenceLengths([1]) }
        #expect(throws: YiError.self) { try PackingOptions.checkSequenceLengths([8192, 63]) }
        #expect(try PackingOptions.checkSequenceLengths([64]).count == 1)
        #expect(try PackingOptions.checkSequenceLengths([100]).first?.contains("short") == true)
        #expect(try PackingOptions.checkSequenceLengths([8100]).first?.contains("multiple of 64") == true)
        #expect(try PackingOptions.checkSequenceLengths([4096, 8192, 16384]).isEmpty)
        #expect(try PackingOptions.checkSequenceLengths([1 << 20]).isEmpty)
        #expect(try PackingOptions.checkSequenceLengths([8192, 16_777_216]).first?.contains("above 1048576 tokens") == true)
        #expect(PackingOptions.minimumSequenceLength == 64)
    }

    /// `rejects:` belongs to the output: with `--out` it lands there, never beside the recipe.
    @Test func rejectsFollowOut() throws {
        let dir = TemporaryDirectory()
        let malformed = Fixtures.requireShared("corpora/damaged/malformed_lines.jsonl")
        try FileManager.default.createDirectory(atPath: dir.file("recipes"), withIntermediateDirectories: true)
        let recipe = dir.write("recipes/p.yaml", """
            inputs: [{path: \(malformed)}]
            packing: {lengths: [8192]}
            output: {dir: ../missing/packed, rejects: ../missing/rejects.jsonl}
            """)
        let result = yiPrep(["run", recipe, "--tokenizer", model, "--out", dir.file("elsewhere"), "--quiet"])
        #expect(result.status == 0, "\(result.errors)")
        #expect(FileManager.default.fileExists(atPath: dir.file("elsewhere/packed/manifest.json")))
        #expect(FileManager.default.fileExists(atPath: dir.file("elsewhere/rejects.jsonl")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("missing")))
    }

    /// Tokens per byte of text do not depend on how the input was stored; per input byte they do.
    @Test func tokensPerTextByteIgnoresCompression() throws {
        let dir = TemporaryDirectory()
        let plain = ExitCodeTests.smallCorpus(dir, name: "plain.jsonl", documents: 40)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: plain)))
        let zstd = dir.write("packed.jsonl.zst", bytes: TestCompressors.zstd(bytes, level: 19))
        var stats: [DatasetStats] = []
        for (input, out) in [(plain, "a"), (zstd, "b")] {
            let result = yiPrep(["pack", "--len", "8192", "--tokenizer", model, "--out", dir.file(out), "--quiet", input])
            #expect(result.status == 0, "\(result.errors)")
            stats.append(try StatsCollector.collect(layout: try DatasetLayout.resolve(dir.file(out)), options: StatsOptions()))
        }
        let text = try #require(stats[0].textBytes)
        #expect(stats[1].textBytes == text)
        #expect(text < Int64(bytes.count), "the text alone, without the JSON around it")
        #expect(stats[0].tokensPerTextByte == stats[1].tokensPerTextByte)
        #expect(try #require(stats[1].tokensPerInputByte) > 2 * (try #require(stats[0].tokensPerInputByte)), "compressed input bytes are fewer")
        let json = StatsJSON.string(stats[1])
        #expect(json.contains("\"tokens_per_text_byte\"") && json.contains("\"text_bytes\""))
        #expect(StatsTerminal.render(stats[1], width: 100).contains("Tokens per text byte"))
    }

    /// Every packed document can be traced to its input file, line, byte offset and id, by the
    /// ordinal the `.docs` sidecar stores; `verify` checks the provenance files.
    @Test func provenanceTracesEverySpanToItsRecord() throws {
        let dir = TemporaryDirectory()
        let job = PackJob(options: try fourPartOptions(dir), log: { _ in })
        job.progressOutput = { _ in }
        let manifest = try #require(try job.run().manifest)
        let out = dir.file("out")
        #expect(try DatasetVerifier.verify(path: out).isSound)
        guard case .array(let entries)? = manifest.extra.first(where: { $0.0 == "provenance" })?.1 else {
            Issue.record("no provenance in the manifest")
            return
        }
        #expect(entries.count == manifest.extra.first { $0.0 == "parts" }?.1.intValue.map { Int($0) })
        // Every span of every sequence has a record naming the right file, line and id.
        let layout = try DatasetLayout.resolve(out)
        var checked = 0
        for bucket in layout.buckets {
            let reader = try BucketReader(bucket: bucket)
            for n in 0..<reader.sequenceCount {
                let spans = try reader.sequence(n).spans ?? []
                let records = Provenance.lookup(outputDirectory: out, ordinals: spans.map(\.documentOrdinal))
                for span in spans {
                    let record = try #require(records[span.documentOrdinal])
                    let path = manifest.inputs[record.input].path
                    let line = try #require(record.line)
                    let text = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")[line - 1]
                    #expect(text.contains("\"id\": \"\(record.id)\""), "\(path):\(line) is record \(record.id)")
                    let offset = try #require(record.byteOffset)
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                    #expect(bytes[Int(offset)] == UInt8(ascii: "{"), "the byte offset is the record's start")
                    #expect(Provenance.describe(record, inputs: manifest.inputs).hasPrefix("\(path):\(line)"))
                    checked += 1
                }
            }
        }
        #expect(checked == manifest.counters["documents.packed"])
        // A damaged provenance file is a verify failure.
        let first = out + "/" + Provenance.relativePath(part: 0)
        let lines = try String(contentsOfFile: first, encoding: .utf8).split(separator: "\n")
        try (lines.dropLast().joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
        let report = try DatasetVerifier.verify(path: out)
        #expect(!report.isSound)
        #expect(yiPrep(["verify", out]).status == 5)
    }

    /// A run that packs nothing says why, loudly: every document dropped (here by a stage
    /// minimum above every document), or nothing readable in the inputs. A bucket that is mostly
    /// padding is warned about too.
    @Test func anEmptyOutputIsAnnounced() throws {
        let dir = TemporaryDirectory()
        var options = PackOptions(inputs: [InputGroup(paths: [ExitCodeTests.smallCorpus(dir, documents: 4)])], outputDirectory: dir.file("a"),
                                  tokenizerPath: model, packing: try PackingOptions(lengths: [8192]).validated())
        options.minDocumentTokens = 5000
        var notes: [String] = []
        _ = try PackJob(options: options, log: { notes.append($0) }).run()
        #expect(notes.contains("warning: nothing was packed: all 4 documents read were dropped (dropped.length.below-stage-minimum: 4); the output holds no sequences"), "\(notes)")

        options.minDocumentTokens = nil
        options.inputs = [InputGroup(paths: [dir.write("broken.jsonl", "{\"text\": 1}\nnot json\n")])]
        options.outputDirectory = dir.file("b")
        notes = []
        _ = try PackJob(options: options, log: { notes.append($0) }).run()
        #expect(notes.contains { $0.hasPrefix("warning: nothing was packed: no document was read from the inputs (rejected.") }, "\(notes)")

        // Five short documents in one 8192-token sequence: almost all of it is padding, said so.
        options.inputs = [InputGroup(paths: [ExitCodeTests.smallCorpus(dir, name: "ok.jsonl")])]
        options.outputDirectory = dir.file("c")
        notes = []
        let manifest = try #require(try PackJob(options: options, log: { notes.append($0) }).run().manifest)
        #expect(!notes.contains { $0.contains("nothing was packed") }, "\(notes)")
        let bucket = manifest.buckets[0]
        #expect(bucket.fill < 0.1)
        #expect(notes.contains("warning: len-8192: fill \(String(format: "%.1f", bucket.fill * 100))%: \(bucket.padTokens) of its 8192 tokens are padding (best-fit fills real corpora over 99%; too few documents for this length?)"), "\(notes)")

        // The quick start (samples/ at 8192 and 16384) fills its buckets: no warning.
        options.inputs = [InputGroup(paths: [Fixtures.repoPath("samples")])]
        options.packing = try PackingOptions(lengths: [8192, 16384]).validated()
        options.outputDirectory = dir.file("d")
        notes = []
        let full = try #require(try PackJob(options: options, log: { notes.append($0) }).run().manifest)
        #expect(full.buckets.allSatisfy { $0.fill > 0.9 } && !notes.contains { $0.hasPrefix("warning:") }, "\(notes)")
    }
}
