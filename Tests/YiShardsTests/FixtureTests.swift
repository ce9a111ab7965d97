import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

/// The committed datasets under `Tests/YiShardsTests/Fixtures/` are what the Python loader tests
/// (`tools/tests/test_loader.py`) read. They are regenerated here and must be byte-identical to
/// the committed copies, so Swift and Python test the same bytes. After an intended format
/// change, regenerate with `YI_UPDATE_FIXTURES=1 swift test --filter FixtureTests`.
@Suite struct FixtureTests {
    struct Fixture {
        var name: String
        var vocabulary: Int
        var lengths: [Int]
        var shardTokens: Int
        var documentCount: Int
        var seed: UInt64
        var maxDocument: Int
    }

    static let fixtures = [
        // uint16 (Yi-sized vocabulary), two buckets, split documents, several shards, padding.
        Fixture(name: "small-dataset", vocabulary: 64_000, lengths: [16, 32], shardTokens: 160, documentCount: 24, seed: 2024, maxDocument: 60),
        // int32 (vocabulary ≥ 65,500), one bucket.
        Fixture(name: "small-dataset-int32", vocabulary: 100_000, lengths: [24], shardTokens: 10_000, documentCount: 8, seed: 77, maxDocument: 30),
    ]

    static var fixtureRoot: String { Fixtures.repoPath("Tests/YiShardsTests/Fixtures") }

    /// Writes the dataset folder and `<name>-documents.jsonl` (the packer's input: one line per
    /// document with its ordinal, source index and tokens) into `root`.
    static func generate(_ fixture: Fixture, into root: String) throws {
        let documents = TestPacker.documents(count: fixture.documentCount, seed: fixture.seed, maxLength: fixture.maxDocument,
                                             vocabulary: fixture.vocabulary)
        let directory = joinPath(root, fixture.name)
        try? FileManager.default.removeItem(atPath: directory)
        try TestDataset(directory: directory, documents: documents, lengths: fixture.lengths, shardTokens: fixture.shardTokens,
                        vocabulary: fixture.vocabulary)
        var lines = ""
        for document in documents {
            lines += JSONWriter.string(.object([
                ("ordinal", .int(Int64(document.ordinal))),
                ("source", .int(Int64(document.source))),
                ("tokens", .array(document.tokens.map { .int(Int64($0)) })),
            ])) + "\n"
        }
        try AtomicFileWriter.write(lines, to: joinPath(root, fixture.name + "-documents.jsonl"))
    }

    /// Relative path → bytes of every file under `root`.
    static func files(under root: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = joinPath(root, relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = Bytes.read(full)
            }
        }
        return result
    }

    @Test(arguments: fixtures.map(\.name))
    func committedFixtureIsByteIdenticalToARegeneratedOne(_ name: String) throws {
        let fixture = Self.fixtures.first { $0.name == name }!
        if ProcessInfo.processInfo.environment["YI_UPDATE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.fixtureRoot, withIntermediateDirectories: true)
            try Self.generate(fixture, into: Self.fixtureRoot)
        }
        let scratch = TemporaryDirectory()
        try Self.generate(fixture, into: scratch.path)
        let regenerated = try Self.files(under: scratch.path)
        let committed = try Self.files(under: Self.fixtureRoot).filter { $0.key.hasPrefix(name + "/") || $0.key == name + "-documents.jsonl" }
        #expect(regenerated.keys.sorted() == committed.keys.sorted())
        for (path, bytes) in regenerated {
            #expect(committed[path] == bytes, "\(path) differs from the committed fixture")
        }
        #expect(regenerated.values.reduce(0) { $0 + $1.count } < 16_000, "fixtures stay a few KB")
        // And the committed copy is sound.
        let report = try DatasetVerifier.verify(path: joinPath(Self.fixtureRoot, name))
        #expect(report.problems == [])
    }
}
