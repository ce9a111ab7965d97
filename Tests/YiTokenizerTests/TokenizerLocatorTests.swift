import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiTokenizer

@Suite struct TokenizerLocatorTests {
    /// A fake Hugging Face hub cache with Yi snapshots (empty files stand in for models).
    static func makeHub(in folder: TemporaryDirectory, repositories: [String: (main: String?, snapshots: [String])]) -> String {
        let hub = folder.file("hub")
        for (repository, layout) in repositories {
            let root = hub + "/" + repository
            for snapshot in layout.snapshots {
                try! FileManager.default.createDirectory(atPath: root + "/snapshots/" + snapshot, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: root + "/snapshots/" + snapshot + "/tokenizer.model", contents: Data([1]))
            }
            if let main = layout.main {
                try! FileManager.default.createDirectory(atPath: root + "/refs", withIntermediateDirectories: true)
                try! (main + "\n").write(toFile: root + "/refs/main", atomically: true, encoding: .utf8)
            }
        }
        return hub
    }

    @Test func explicitPathWins() throws {
        let folder = TemporaryDirectory()
        let model = folder.write("my.model", "x")
        let found = try TokenizerLocator.resolve(explicitPath: model, environment: ["YI_TOKENIZER": "/elsewhere"], homeDirectory: folder.path)
        #expect(found == model)
        // A folder holding a tokenizer.model is accepted too.
        let inside = folder.write("tokenizer.model", "x")
        #expect(try TokenizerLocator.resolve(explicitPath: folder.path, environment: [:], homeDirectory: "/") == inside)
    }

    @Test func missingExplicitPathIsAnErrorNotAFallback() throws {
        let folder = TemporaryDirectory()
        let hub = Self.makeHub(in: folder, repositories: ["models--01-ai--Yi-6B": (nil, ["abc"])])
        #expect(throws: YiError.self) {
            try TokenizerLocator.resolve(explicitPath: folder.file("nope.model"), environment: ["HF_HUB_CACHE": hub], homeDirectory: "/")
        }
        #expect(throws: YiError.self) {
            try TokenizerLocator.resolve(explicitPath: nil, environment: ["YI_TOKENIZER": folder.file("nope"), "HF_HUB_CACHE": hub], homeDirectory: "/")
        }
    }

    @Test func environmentVariableComesNext() throws {
        let folder = TemporaryDirectory()
        let model = folder.write("yi.model", "x")
        #expect(try TokenizerLocator.resolve(explicitPath: nil, environment: ["YI_TOKENIZER": model], homeDirectory: "/") == model)
    }

    @Test func huggingFaceCacheIsSearchedDeterministically() throws {
        let folder = TemporaryDirectory()
        let hub = Self.makeHub(in: folder, repositories: [
            "models--01-ai--Yi-34B": ("main222", ["aaa111", "main222"]),
            "models--01-ai--Yi-6B": (nil, ["zzz", "bbb"]),
            "models--meta-llama--Llama-2-7b": (nil, ["ccc"]),
        ])
        let found = try TokenizerLocator.resolve(explicitPath: nil, environment: ["HF_HUB_CACHE": hub], homeDirectory: "/")
        // Repositories in name order ("Yi-34B" < "Yi-6B"), the snapshot refs/main names first.
        #expect(found == hub + "/models--01-ai--Yi-34B/snapshots/main222/tokenizer.model")

        let other = TemporaryDirectory()
        let onlySixB = Self.makeHub(in: other, repositories: ["models--01-ai--Yi-6B": (nil, ["zzz", "bbb"])])
        let second = try TokenizerLocator.resolve(explicitPath: nil, environment: ["HF_HUB_CACHE": onlySixB], homeDirectory: "/")
        #expect(second.hasSuffix("models--01-ai--Yi-6B/snapshots/bbb/tokenizer.model"))
    }

    @Test func cacheLocationFollowsHuggingFaceVariables() {
        #expect(TokenizerLocator.hubCache(environment: [:], homeDirectory: "/home/u") == "/home/u/.cache/huggingface/hub")
        #expect(TokenizerLocator.hubCache(environment: ["HF_HOME": "/data/hf"], homeDirectory: "/home/u") == "/data/hf/hub")
        #expect(TokenizerLocator.hubCache(environment: ["HF_HOME": "/data/hf", "HF_HUB_CACHE": "/fast/hub"], homeDirectory: "/h") == "/fast/hub")
        #expect(TokenizerLocator.hubCache(environment: ["XDG_CACHE_HOME": "/xdg"], homeDirectory: "/h") == "/xdg/huggingface/hub")
    }

    @Test func homeCacheIsUsedAndFailureExplainsWhatToDo() throws {
        let home = TemporaryDirectory()
        let hub = home.path + "/.cache/huggingface/hub"
        do {
            _ = try TokenizerLocator.resolve(explicitPath: nil, environment: [:], homeDirectory: home.path)
            Issue.record("found a tokenizer in an empty home")
        } catch let error as YiError {
            #expect(error.code == .tokenizer)
            #expect(error.message.contains("--tokenizer") && error.message.contains("YI_TOKENIZER"))
            #expect(error.message.contains("huggingface-cli download 01-ai/Yi-6B tokenizer.model"))
            #expect(error.message.contains(hub))
        }
        try FileManager.default.createDirectory(atPath: hub + "/models--01-ai--Yi-9B/snapshots/s1", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: hub + "/models--01-ai--Yi-9B/snapshots/s1/tokenizer.model", contents: Data([1]))
        #expect(try TokenizerLocator.resolve(explicitPath: nil, environment: [:], homeDirectory: home.path)
                == hub + "/models--01-ai--Yi-9B/snapshots/s1/tokenizer.model")
    }
}
