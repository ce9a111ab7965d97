import Foundation
import Testing
import YiCore
import YiShards
import YiTestSupport

@Suite(.serialized) struct RunCommandTests {
    let model = Fixtures.requireShared("tokenizers/yi/tokenizer.model")

    /// The shipped recipes run end to end on the sample corpus and give sound datasets with
    /// filter drops, dedup reports and (for the progressive recipe) the length policy's drops.
    @Test func shippedRecipesRun() throws {
        let dir = TemporaryDirectory()
        let single = yiPrep(["run", Fixtures.repoPath("pipelines/yi-16k.yaml"), "--tokenizer", model, "--out", dir.path, "--quiet"])
        #expect(single.status == 0, "\(single.errors)")
        let manifest = try Manifest.read(path: dir.file("yi-16k/manifest.json"))
        #expect(manifest.counters["dropped.length.too-few-chars"] > 0)
        #expect(manifest.extra.contains { $0.0 == "dedup" })
        #expect(try DatasetVerifier.verify(path: dir.file("yi-16k")).isSound)

        let progressive = yiPrep(["run", Fixtures.repoPath("pipelines/yi-progressive-8k-16k.yaml"), "--tokenizer", model,
                                  "--out", dir.path, "--quiet"])
        #expect(progressive.status == 0, "\(progressive.errors)")
        for stage in ["stage1-8k", "stage2-16k"] {
            let stageManifest = try Manifest.read(path: dir.file("\(stage)/manifest.json"))
            #expect(stageManifest.counters["dropped.length.below-stage-minimum"] > 0, "\(stage)")
            #expect(try DatasetVerifier.verify(path: dir.file(stage)).isSound, "\(stage)")
        }
        #expect(yiPrep(["run", Fixtures.repoPath("pipelines/wikipedia.yaml"), "--tokenizer", model, "--dry-run"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.file("wikipedia")), "a dry run writes nothing")
    }

    @Test func unknownStageAndBadFile() {
        let dir = TemporaryDirectory()
        #expect(yiPrep(["run", Fixtures.repoPath("pipelines/yi-16k.yaml"), "--tokenizer", model, "--stage", "nope"]).status == 2)
        let bad = dir.write("bad.yaml", "inputs: [x]\noutput: {dir: o}\npacking: {lengths: [0]}\n")
        let result = yiPrep(["run", bad, "--tokenizer", model])
        #expect(result.status == 2)
        #expect(result.errors.joined().contains("bad.yaml: 3:"), "\(result.errors)")
    }
}
