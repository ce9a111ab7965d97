import Foundation
import Testing
import YiCore
import YiTestSupport

/// `pack` killed with SIGKILL at 20 write events (the `YI_TEST_WRITE_FAULT` hook, see
/// docs/reliability.md): `verify` never accepts the folder in between, and `--resume` gives the
/// bytes of an uninterrupted run. Runs the real binary in a child process.
@Suite(.serialized) struct CrashSafetyTests {
    /// A crafted 700-byte model (loads in milliseconds; the writer does not care about the model)
    /// and the sample books cut into 6 parts of ~100 kB and shards of 20,000 tokens: ~20 shards
    /// and ~200 write events.
    static func packArguments(out: String) -> [String] {
        ["pack", "--len", "256,512", "--tokenizer", Fixtures.repoPath("Tests/YiTokenizerTests/Golden/crafted/userdefined.model"),
         "--out", out, "--quiet", "--threads", "2", "--part-bytes", "100000", "--shard-tokens", "20000",
         Fixtures.repoPath("samples/public-domain-books.jsonl")]
    }

    @Test func killedAtTwentyPointsNeverVerifiesAndResumesByteIdentically() throws {
        let dir = TemporaryDirectory()
        let reference = dir.file("reference")
        #expect(try ChildProcess.yiPrep(Self.packArguments(out: reference)).status == 0)
        let expected = try folderContents(reference)

        // The hook in trace mode is inert apart from stderr, and numbers the events.
        let traced = dir.file("traced")
        let trace = try ChildProcess.yiPrep(Self.packArguments(out: traced), environment: ["YI_TEST_WRITE_FAULT": "trace"])
        #expect(trace.status == 0)
        #expect(differences(try folderContents(traced), expected) == [])
        let events = WriteEvent.parse(trace.standardError)
        #expect(events.count > 100 && events.map(\.number) == Array(1...events.count))

        let points = WriteEvent.killPoints(events, count: 20)
        #expect(points.count == 20)
        // Mid-shard, mid-marker and mid-manifest are among them.
        for (kind, file) in [("write", ".bin.tmp-"), ("renamed", ".bin"), ("write", "/.parts/part-"), ("rename", "/.parts/part-"),
                             ("write", "manifest.json.tmp-"), ("rename", "manifest.json")] {
            #expect(points.contains { $0.kind == kind && $0.path.contains(file) }, "no kill point at \(kind) \(file)")
        }
        for event in points {
            let out = dir.file("kill-\(event.number)")
            let killed = try ChildProcess.yiPrep(Self.packArguments(out: out), environment: ["YI_TEST_WRITE_FAULT": "kill:\(event.number)"])
            #expect(killed.signal == SIGKILL, "event \(event): the hook did not kill (status \(killed.status))")
            #expect(!FileManager.default.fileExists(atPath: out + "/manifest.json"))
            for target in [out] + bucketFolders(out) {
                // 5: problems found; 2: no dataset there yet (killed before any shard).
                let verified = try ChildProcess.yiPrep(["verify", target])
                #expect(verified.status == 5 || verified.status == 2,
                        "verify gave \(verified.status) on \(target) after a kill at event \(event)")
            }
            let resumed = try ChildProcess.yiPrep(Self.packArguments(out: out) + ["--resume"])
            #expect(resumed.status == 0, "resume after event \(event): \(resumed.standardError)")
            #expect(differences(try folderContents(out), expected) == [], "resume after a kill at event \(event) differs")
            try? FileManager.default.removeItem(atPath: out)
        }
    }

    private func bucketFolders(_ out: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { $0.hasPrefix("len-") }.sorted().map { out + "/" + $0 }
    }
}

/// Names of files that differ between two folder snapshots (for failure messages).
func differences(_ a: [String: Data], _ b: [String: Data]) -> [String] {
    Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
}

/// One line of `YI_TEST_WRITE_FAULT=trace` output.
struct WriteEvent: CustomStringConvertible {
    var number: Int
    var kind: String
    var path: String

    var description: String { "\(number) (\(kind) \((path as NSString).lastPathComponent))" }

    static func parse(_ standardError: String) -> [WriteEvent] {
        standardError.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", maxSplits: 3)
            guard fields.count == 4, fields[0] == "yi-test-write-event", let n = Int(fields[1]) else { return nil }
            return WriteEvent(number: n, kind: String(fields[2]), path: String(fields[3]))
        }
    }

    /// `count` distinct events: the worst moments first (a torn `.bin` mid-run, a `.bin` in place
    /// without its `.idx`, a torn and an unrenamed part marker, a torn and an unrenamed manifest),
    /// then pseudo-random ones from a fixed seed.
    static func killPoints(_ events: [WriteEvent], count: Int) -> [WriteEvent] {
        func first(_ kind: String, _ suffix: String, after: Int = 0) -> WriteEvent? {
            events.first { $0.kind == kind && $0.path.contains(suffix) && $0.number > after }
        }
        let middle = events.count / 2
        var chosen = [first("write", ".bin.tmp-", after: middle), first("renamed", ".bin", after: middle),
                      first("write", "/.parts/part-", after: middle), first("rename", "/.parts/part-", after: middle),
                      first("write", "manifest.json.tmp-"), first("rename", "manifest.json")].compactMap { $0 }
        var generator = SplitMix64(seed: 17)
        while chosen.count < min(count, events.count) {
            let candidate = events[Int(generator.next() % UInt64(events.count))]
            if !chosen.contains(where: { $0.number == candidate.number }) { chosen.append(candidate) }
        }
        return chosen
    }
}

/// The built `yi-prep` binary run as a child process (a kill must not take the test runner down).
enum ChildProcess {
    struct Result {
        var status: Int32
        /// The signal that ended the process, nil when it exited.
        var signal: Int32?
        var standardError: String
    }

    /// `yi-prep` beside the test bundle (`swift build --build-tests` builds it; any --scratch-path).
    static let binary: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // macOS runs tests from inside an .xctest bundle.
        while folder.path.contains(".xctest") { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("yi-prep").path
    }()

    static func yiPrep(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try run(binary, arguments, environment: environment)
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        precondition(FileManager.default.isExecutableFile(atPath: executable), "\(executable) not built: run swift build --build-tests")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        // A file, not a pipe: the trace can exceed a pipe's buffer while we wait.
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("yi-prep-stderr-\(UUID().uuidString)").path
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let errorFile = FileHandle(forWritingAtPath: errorPath)!
        process.standardError = errorFile
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try errorFile.close()
        let text = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        let signaled = process.terminationReason == .uncaughtSignal
        return Result(status: signaled ? -1 : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                      standardError: text)
    }
}
