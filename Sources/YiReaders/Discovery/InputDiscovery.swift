import YiCore
import YiIO

/// Expands the command line's inputs into files to read.
///
/// Each argument is a file, a directory (walked recursively, entries in bytewise order, hidden
/// entries and yi-prep's own outputs passed over and listed in `ignored`, as are empty files),
/// or a glob (`*`, `?`,
/// `[...]`, `**`). Every file found gets a format from `FormatDetection`; the ones that cannot be
/// read are listed in `unsupported` with the reason. A file named twice is read once, at its first
/// place. `excluding` names paths never to read (the run's `--out` folder and `--rejects` file).
///
/// Throws `.input` for an argument that does not exist, and for a file named explicitly that
/// cannot be read (found in a folder or by a glob, such a file is a reported skip instead), and
/// `.usage` for a glob matching nothing.
public func discoverInputs(_ arguments: [String], excluding: [String] = []) throws -> InputDiscovery {
    var walker = InputWalker(excluded: Set(excluding.map(FileSystem.canonicalPath)))
    for argument in arguments {
        if Glob.isPattern(argument), try FileSystem.status(argument) == nil {
            let matches = try Glob.expand(argument)
            guard !matches.isEmpty else {
                throw YiError(.usage, "no file matches the pattern \(argument)")
            }
            for match in matches { try walker.visit(match, explicit: false) }
        } else {
            if argument == "-" {
                throw YiError(.input, "reading standard input is not supported: name the input files, folders or globs")
            }
            guard try FileSystem.status(argument) != nil else {
                throw YiError(.input, "no such file or directory", context: .init(path: argument))
            }
            try walker.visit(argument, explicit: true)
        }
    }
    return walker.result
}

private struct InputWalker {
    let excluded: Set<String>
    var result = InputDiscovery()
    private var seenFiles = Set<String>()
    /// Directories being walked, by identity, so a symbolic link back up does not loop.
    private var openDirectories = Set<FileSystem.FileIdentity>()

    init(excluded: Set<String>) { self.excluded = excluded }

    /// `explicit`: named on the command line, so taken even if hidden, and an error when it
    /// cannot be read (the user asked for exactly this file).
    mutating func visit(_ path: String, explicit: Bool) throws {
        let skippedBefore = result.unsupported.count
        try visitEntry(path, explicit: explicit)
        if explicit, result.unsupported.count > skippedBefore, let skipped = result.unsupported.last,
           skipped.path == path {
            throw YiError(.input, "cannot be read: \(skipped.reason)", context: .init(path: path))
        }
    }

    private mutating func visitEntry(_ path: String, explicit: Bool) throws {
        let status: FileSystem.Status
        do {
            guard let found = try FileSystem.status(path) else {
                result.unsupported.append(SkippedInput(path: path, reason: "broken symbolic link (or removed while listing)"))
                return
            }
            status = found
        } catch let error as YiError {
            result.unsupported.append(SkippedInput(path: path, reason: Self.describe(error)))
            return
        }
        let canonical = FileSystem.canonicalPath(path)
        if excluded.contains(canonical) {
            result.ignored.append(SkippedInput(path: path, reason: "output of this run"))
            return
        }
        switch status.kind {
        case .directory:
            try walk(path, status)
        case .file:
            guard seenFiles.insert(canonical).inserted else { return }
            if !explicit, let reason = Self.ownOutputReason(FileSystem.lastComponent(path)) {
                result.ignored.append(SkippedInput(path: path, reason: reason))
                return
            }
            if !explicit, FileSystem.lastComponent(path) == "manifest.json", Self.isYiPrepManifest(path) {
                result.ignored.append(SkippedInput(path: path, reason: "a yi-prep run manifest"))
                return
            }
            if status.size == 0 {
                result.ignored.append(SkippedInput(path: path, reason: "empty file"))
                return
            }
            do {
                switch try FormatDetection.classify(path: path) {
                case .input(let format, let compression):
                    result.inputs.append(DiscoveredInput(path: path, format: format, compression: compression, size: status.size))
                case .unsupported(let reason):
                    result.unsupported.append(SkippedInput(path: path, reason: reason))
                }
            } catch let error as YiError {
                result.unsupported.append(SkippedInput(path: path, reason: Self.describe(error)))
            }
        case .other:
            result.unsupported.append(SkippedInput(path: path, reason: "not a regular file"))
        }
    }

    private mutating func walk(_ directory: String, _ status: FileSystem.Status) throws {
        guard openDirectories.insert(status.identity).inserted else {
            result.ignored.append(SkippedInput(path: directory, reason: "symbolic link loop"))
            return
        }
        defer { openDirectories.remove(status.identity) }
        let names: [String]
        do {
            names = try FileSystem.entries(of: directory)
        } catch let error as YiError {
            result.unsupported.append(SkippedInput(path: directory, reason: Self.describe(error)))
            return
        }
        if names.contains("manifest.json"), Self.isYiPrepManifest(FileSystem.join(directory, "manifest.json")) {
            result.ignored.append(SkippedInput(path: directory, reason: "a yi-prep output folder (has a yi-prep manifest.json)"))
            return
        }
        for name in names {
            let child = FileSystem.join(directory, name)
            if name.hasPrefix(".") {
                result.ignored.append(SkippedInput(path: child, reason: "hidden"))
                continue
            }
            try visit(child, explicit: false)
        }
    }

    /// "cannot open file: Permission denied (errno 13)".
    private static func describe(_ error: YiError) -> String {
        error.cause.map { "\(error.message): \($0)" } ?? error.message
    }

    /// yi-prep's own files met while walking a folder: shard files (`shard-*.bin/.idx/.docs`; a
    /// corpus shard such as `shard-00001.jsonl.zst` is an input), unfinished temporary files.
    /// A `manifest.json` is ours only when it says so (checked by the caller).
    static func ownOutputReason(_ name: String) -> String? {
        if let range = name.firstRange(of: ".tmp-"), name[range.upperBound...].allSatisfy(\.isNumber), name.last?.isNumber == true {
            return "temporary file of an unfinished yi-prep run"
        }
        if name.hasPrefix("shard-"), let dot = name.lastIndex(of: "."),
           ["bin", "idx", "docs"].contains(String(name[name.index(after: dot)...])) {
            return "a yi-prep shard file"
        }
        return nil
    }

    private static func isYiPrepManifest(_ path: String) -> Bool {
        guard let head = try? readPrefix(path: path, count: 1 << 16) else { return false }
        return String(decoding: head, as: UTF8.self).contains("yi-prep")
    }
}
