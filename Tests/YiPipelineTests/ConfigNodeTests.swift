import Testing
import YiCore
@testable import YiPipeline

@Suite struct ConfigNodeTests {
    let yaml = """
    name: demo
    packing:
      lengths: [8192, 16384]
      cross_fill: yes
      strategy: best-fit
    inputs:
      - path: corpus/
        weight: 0.5
      - path: "123"
    """

    @Test func typedAccessAndJSON() throws {
        let root = try ConfigNode.parse(yaml: yaml, file: "demo.yaml")
        #expect(try root["name"]?.string() == "demo")
        let lengths = try root["packing"]!["lengths"]!.list().map { try $0.int() }
        #expect(lengths == [8192, 16384])
        #expect(try root["packing"]!["cross_fill"]!.bool() == true)
        let inputs = try root["inputs"]!.list()
        #expect(try inputs[0]["weight"]!.double() == 0.5)
        // A quoted number stays text.
        #expect(inputs[1]["path"]!.json == .string("123"))
        #expect(root["packing"]!.json["lengths"] == .array([.int(8192), .int(16384)]))
    }

    @Test func errorsNameLineColumnAndKey() throws {
        let root = try ConfigNode.parse(yaml: yaml, file: "demo.yaml")
        let strategy = root["packing"]!["strategy"]!
        let error = #expect(throws: YiError.self) { try strategy.choice(["best-fit-x", "concat"]) }
        #expect(error?.description == "demo.yaml: 5:13: packing.strategy: expected one of best-fit-x, concat (got best-fit)")
        let unknown = #expect(throws: YiError.self) { try root["packing"]!.checkKeys(["lengths", "strategy"]) }
        #expect(unknown?.description.contains("4:15: packing.cross_fill: unknown key") == true)
    }

    @Test func syntaxErrorsAndDuplicateKeys() {
        let bad = #expect(throws: YiError.self) { try ConfigNode.parse(yaml: "a: [1, 2\nb: 3\n", file: "bad.yaml") }
        #expect(bad?.description.hasPrefix("bad.yaml: 2:2: not valid YAML: ") == true, "\(bad?.description ?? "")")
        let dup = #expect(throws: YiError.self) { try ConfigNode.parse(yaml: "x: 0\ny:\n  a: 1\n  a: 2\n", file: "dup.yaml") }
        #expect(dup?.description.hasPrefix("dup.yaml: 3:3: not valid YAML: duplicate key a") == true, "\(dup?.description ?? "")")
    }
}
