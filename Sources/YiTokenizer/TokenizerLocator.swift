#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import YiCore

/// Finds the tokenizer model every command uses, in this order:
/// 1. `--tokenizer PATH` (a `.model` file, or a folder with a `tokenizer.model`);
/// 2. `$YI_TOKENIZER` (the same);
/// 3. a Yi `tokenizer.model` in the Hugging Face cache: `models--01-ai--Yi-*` under
///    `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
///    `~/.cache/huggingface/hub`. Repositories are tried in name order; in each, the snapshot
///    `refs/main` names, then the other snapshots in name order. The first hit wins, so the
///    choice is the same on every run.
/// Otherwise a `YiError(.tokenizer)` says where it looked and how to get a model.
public enum TokenizerLocator {
    public static func resolve(explicitPath: String?, environment: [String: String], homeDirectory: String) throws -> String {
        if let path = explicitPath {
            return try modelFile(at: path, source: "--tokenizer")
        }
        if let path = environment["YI_TOKENIZER"], !path.isEmpty {
            return try modelFile(at: path, source: "$YI_TOKENIZER")
        }
        let hub = hubCache(environment: environment, homeDirectory: homeDirectory)
        if let found = yiModelInHub(hub) { return found }
        throw YiError(.tokenizer, """
            no tokenizer model found: pass --tokenizer PATH/tokenizer.model or set YI_TOKENIZER; \
            none was found either in the Hugging Face cache (\(hub)/models--01-ai--Yi-*/snapshots/*/tokenizer.model). \
            To get Yi's: huggingface-cli download 01-ai/Yi-6B tokenizer.model
            """)
    }

    /// The Hugging Face hub cache folder the environment points to.
    public static func hubCache(environment: [String: String], homeDirectory: String) -> String {
        func value(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return v
        }
        if let hub = value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE") { return hub }
        if let home = value("HF_HOME") { return join(home, "hub") }
        let cache = value("XDG_CACHE_HOME") ?? join(homeDirectory, ".cache")
        return join(join(cache, "huggingface"), "hub")
    }

    private static func modelFile(at path: String, source: String) throws -> String {
        switch fileKind(path) {
        case .file:
            return path
        case .directory:
            let inside = join(path, "tokenizer.model")
            if fileKind(inside) == .file { return inside }
            throw YiError(.tokenizer, "the folder given by \(source) has no tokenizer.model", context: .init(path: path))
        case .missing:
            throw YiError(.tokenizer, "no tokenizer model at this path (given by \(source))", context: .init(path: path))
        }
    }

    private static func yiModelInHub(_ hub: String) -> String? {
        for repository in listDirectory(hub).filter({ $0.hasPrefix("models--01-ai--Yi-") }).sorted() {
            let repositoryPath = join(hub, repository)
            let snapshots = join(repositoryPath, "snapshots")
            var candidates: [String] = []
            if let main = readSmallFile(join(join(repositoryPath, "refs"), "main")) {
                candidates.append(main.trimmingWhitespace)
            }
            candidates += listDirectory(snapshots).sorted()
            for snapshot in candidates where !snapshot.isEmpty && !snapshot.contains("/") {
                let model = join(join(snapshots, snapshot), "tokenizer.model")
                if fileKind(model) == .file { return model }
            }
        }
        return nil
    }

    // MARK: File system helpers (no Foundation)

    private enum FileKind { case file, directory, missing }

    /// What is at `path`, following symbolic links (the hub cache links snapshots to blobs).
    private static func fileKind(_ path: String) -> FileKind {
        var status = stat()
        guard stat(path, &status) == 0 else { return .missing }
        return (status.st_mode & S_IFMT) == S_IFDIR ? .directory : .file
    }

    private static func listDirectory(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    private static func readSmallFile(_ path: String) -> String? {
        guard let bytes = try? readWholeFile(path), bytes.count < 4096 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func join(_ a: String, _ b: String) -> String {
        a.hasSuffix("/") ? a + b : a + "/" + b
    }
}

private extension String {
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
