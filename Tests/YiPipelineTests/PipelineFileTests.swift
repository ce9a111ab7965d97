import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiPipeline

@Suite struct PipelineFileTests {
    func load(_ yaml: String) throws -> PipelineFile {
        let dir = TemporaryDirectory()
        let path = dir.write("p.yaml", yaml)
        return try PipelineFile.load(path: path) { $0 ?? "/models/tokenizer.model" }
    }

    @Test func stagesInheritAndOverride() throws {
        let file = try load("""
        name: demo
        seed: 3
        inputs:
          - path: /data/a
            source: web
            weight: 2
          - path: /data/b
            source: books
            weight: 1
        filters: [exact-dedup]
        packing: {lengths: [8192], strategy: concat}
        stages:
          - name: one
            output: {dir: /out/one}
          - name: two
            packing: {lengths: [16384]}
            mix: {upsample: {long-tokens: 8192, short-keep: 0.3}}
            output: {dir: /out/two}
        """)
        #expect(file.stages.map(\.name) == ["one", "two"])
        let one = file.stages[0].options, two = file.stages[1].options
        #expect(one.packing.lengths == [8192] && two.packing.lengths == [16384])
        #expect(one.packing.strategy == .concat && two.packing.strategy == .concat, "stage mappings merge key by key")
        #expect(one.inputs.map(\.paths) == [["/data/a"], ["/data/b"]])
        #expect(one.mix?.weights == ["web": 2, "books": 1], "input weights become mixing weights")
        #expect(two.mix?.upsampling(for: "web")?.longThreshold == 8192)
        #expect(two.mix?.seed == 3, "the mix seed defaults to the pipeline's")
        #expect(one.outputDirectory == "/out/one" && one.tokenizerPath == "/models/tokenizer.model")
    }

    @Test func mistakesPointAtLineAndColumn() throws {
        let unknown = #expect(throws: YiError.self) {
            try load("inputs: [/x]\noutput: {dir: /o}\npacking:\n  lenghts: [8192]\n")
        }
        #expect(unknown?.description.contains("p.yaml: 4:12: packing.lenghts: unknown key") == true, "\(unknown?.description ?? "")")
        let filter = #expect(throws: YiError.self) {
            try load("inputs: [/x]\noutput: {dir: /o}\nfilters:\n  - length: {min-chars: -5}\n")
        }
        #expect(filter?.description.contains("p.yaml: 4:25: filters[0].length.min-chars") == true, "\(filter?.description ?? "")")
        let weight = #expect(throws: YiError.self) {
            try load("inputs:\n  - path: /x\n    weight: 1\noutput: {dir: /o}\n")
        }
        #expect(weight?.description.contains("3:13: inputs[0].weight: a weight needs a fixed source name") == true, "\(weight?.description ?? "")")
        let missing = #expect(throws: YiError.self) { try load("inputs: [/x]\n") }
        #expect(missing?.description.contains("output: required") == true)
    }

    /// Numbers that do not fit the type they become are errors naming the key, not traps (fuzz
    /// finding: a length near Int.max overflowed the default best-fit window,
    /// tools/fuzz/regressions/pipeline/length-near-int-max).
    @Test func outOfRangeNumbersAreErrors() throws {
        func message(_ packing: String, top: String = "") -> String {
            let error = #expect(throws: YiError.self) {
                try load(top + "inputs: [/x]\noutput: {dir: /o}\npacking: {\(packing)}\n")
            }
            return error?.description ?? ""
        }
        #expect(message("lengths: [9223372036854775807]").contains("sequence length 9223372036854775807 is out of range 1...2147483647"))
        #expect(message("pad-id: -1").contains("packing.pad-id: expected a whole number in 0...4294967295 (got -1)"))
        #expect(message("pad-id: 4294967296").contains("(got 4294967296)"))
        #expect(message("shard-tokens: 0").contains("packing.shard-tokens: expected a whole number ≥ 1 (got 0)"))
        #expect(message("part-bytes: -5").contains("packing.part-bytes: expected a whole number ≥ 1 (got -5)"))
        #expect(message("lengths: [8192]", top: "seed: -1\n").contains("seed: expected a whole number ≥ 0 (got -1)"))
        // The largest values that fit still load.
        let file = try load("seed: 9223372036854775807\ninputs: [/x]\noutput: {dir: /o}\npacking: {lengths: [2147483647], pad-id: 4294967295}\n")
        #expect(file.stages[0].options.packing.padID == 4294967295 && file.stages[0].options.seed == UInt64(Int.max))
    }

    /// The shipped recipes load (and their relative paths point into the repository).
    @Test func shippedRecipesLoad() throws {
        for name in ["yi-16k", "yi-progressive-8k-16k", "wikipedia"] {
            let file = try PipelineFile.load(path: Fixtures.repoPath("pipelines/\(name).yaml")) { $0 ?? "tokenizer.model" }
            #expect(!file.stages.isEmpty)
            for stage in file.stages {
                for path in stage.options.inputs.flatMap(\.paths) {
                    #expect(FileManager.default.fileExists(atPath: path), "\(name): \(path)")
                }
            }
        }
    }
}

@Suite struct PipelineDedupSectionTests {
    @Test func dedupSectionSetsTheDropListRelativeToTheFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("p.yaml", "inputs: [/data/a]\noutput: {dir: out}\ndedup: {drop-list: dd}\n")
        let file = try PipelineFile.load(path: path) { $0 ?? "/models/tokenizer.model" }
        #expect(file.stages[0].options.dropList == dir.file("dd"))
        let bad = dir.write("q.yaml", "inputs: [/data/a]\noutput: {dir: out}\ndedup: {droplist: dd}\n")
        #expect(throws: YiError.self) { try PipelineFile.load(path: bad) { $0 ?? "/m" } }
    }
}
