import Foundation
import YiCore

/// Paths to test data: the repository's own fixtures and the read-only `../shared` folder beside
/// the repository (real tokenizers and corpora; CI has it too). `YI_SHARED` overrides its place.
public enum Fixtures {
    /// The repository root, found from this file's path so tests work from any directory.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    public static let shared: URL = {
        if let env = ProcessInfo.processInfo.environment["YI_SHARED"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    public static func sharedPath(_ relative: String) -> String {
        shared.appendingPathComponent(relative).path
    }

    public static func repoPath(_ relative: String) -> String {
        repositoryRoot.appendingPathComponent(relative).path
    }

    public static var yiModel: String { sharedPath("tokenizers/yi/tokenizer.model") }
    public static var llama2Model: String { sharedPath("tokenizers/llama2/tokenizer.model") }
    public static var nfkcModel: String { sharedPath("tokenizers/zh-bpe-nfkc/tokenizer.model") }

    /// The shared data must be present: a missing `../shared` is a setup error, not a skip.
    public static func requireShared(_ relative: String) -> String {
        let path = sharedPath(relative)
        precondition(FileManager.default.fileExists(atPath: path),
                     "test data missing: \(path) (set YI_SHARED to the shared folder)")
        return path
    }
}

/// A fresh temporary directory removed when the value is released.
public final class TemporaryDirectory {
    public let url: URL
    public var path: String { url.path }

    public init(_ label: String = "yi-prep-test") {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    public func write(_ name: String, _ contents: String) -> String {
        let path = file(name)
        try! contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let path = file(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
