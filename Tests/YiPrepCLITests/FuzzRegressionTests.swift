import Foundation
import Testing
import YiTestSupport

/// Every input under tools/fuzz/regressions/TARGET/ (each once crashed a fuzz target or ran it
/// out of memory) replayed through `yi-fuzz` as built for the tests (docs/reliability.md,
/// "Fuzzing"), under the fuzzer's 2 GB memory ceiling (not under a sanitizer, whose shadow
/// memory needs far more address space).
@Suite struct FuzzRegressionTests {
    @Test func everyRecordedFindingNowPasses() throws {
        let root = Fixtures.repoPath("tools/fuzz/regressions")
        let targets = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        #expect(!targets.isEmpty)
        let binary = (ChildProcess.binary as NSString).deletingLastPathComponent + "/yi-fuzz"
        for target in targets {
            let files = try FileManager.default.contentsOfDirectory(atPath: root + "/" + target).sorted().map { root + "/" + target + "/" + $0 }
            let environment = ProcessInfo.processInfo.environment
            let sanitized = environment["ASAN_OPTIONS"] != nil || environment["TSAN_OPTIONS"] != nil  // set by tools/sanitize.sh
            let limit = sanitized ? "" : "ulimit -v 2097152 && "
            let run = try ChildProcess.run("/bin/sh", ["-c", limit + "exec \"$0\" \"$@\"", binary, target] + files)
            #expect(run.status == 0, "\(target): \(run.standardError)")
        }
    }
}
