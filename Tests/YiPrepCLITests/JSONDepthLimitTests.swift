import Foundation
import Testing
import YiCore
import YiShards
import YiTestSupport

/// The deepest JSON (docs/reliability.md, "Limits"): records nested up to 512 levels are read,
/// deeper ones rejected as malformed JSON and counted, in a real `pack` whose reader runs on its
/// own thread (`--threads 2`), so the recursion fits that thread's stack.
@Suite struct JSONDepthLimitTests {
    @Test func recordsDeeperThan512AreRejectedNotCrashed() throws {
        func nested(_ depth: Int) -> String {
            // The record itself is level 1; `meta` holds depth - 1 more levels of arrays.
            "{\"text\": \"depth \(depth)\", \"meta\": " + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
        }
        let dir = TemporaryDirectory()
        let input = dir.write("deep.jsonl", [nested(2), nested(512), nested(513), nested(200_000), nested(3)].joined(separator: "\n") + "\n")
        let out = dir.file("out")
        let run = yiPrep(["pack", "--len", "256", "--tokenizer", Fixtures.yiModel, "--out", out, "--quiet", "--threads", "2", input])
        #expect(run.status == 0, "\(run.errors)")
        let manifest = try Manifest.read(path: out + "/manifest.json")
        #expect(manifest.counters["documents.packed"] == 3)
        #expect(manifest.counters["rejected.malformed-json"] == 2)
    }
}
