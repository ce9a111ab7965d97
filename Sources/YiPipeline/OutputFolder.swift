import Foundation
import YiCore
import YiShards

/// The pack output folder and its rules (docs/formats.md, docs/distributed.md):
/// shards under `len-N/`, one completion marker per finished part under `.parts/`, and
/// `manifest.json` once every part is complete. A part marker is itself a manifest of that part
/// alone, plus the run fingerprint.
struct OutputFolder {
    let path: String
    static let partsDirectory = ".parts"

    var partsPath: String { (path as NSString).appendingPathComponent(OutputFolder.partsDirectory) }
    var manifestPath: String { (path as NSString).appendingPathComponent(Manifest.fileName) }

    /// The run fingerprint, written before any shard (see `claim`).
    var fingerprintPath: String { (partsPath as NSString).appendingPathComponent("run-fingerprint") }

    func markerPath(_ part: Int) -> String {
        (partsPath as NSString).appendingPathComponent(WorkPart.name(part) + ".json")
    }

    /// Checks that the folder is new, or holds this same run (resumable), and creates it.
    func prepare(fingerprint: String, resume: Bool, force: Bool) throws {
        try createDirectory(partsPath)
        let state = try existingState()
        switch state {
        case .empty:
            return try claim(fingerprint)
        case .run(let other) where other == fingerprint:
            if resume { return try claim(fingerprint) }
            // Finished with the same inputs and options: nothing to redo, the run is a no-op.
            if !force, let manifest = try? Manifest.read(path: manifestPath), Self.fingerprint(of: manifest) == fingerprint {
                return
            }
            if force { try clear(); return try claim(fingerprint) }
            throw YiError(.outputState, "holds an unfinished run of these same inputs and options: pass --resume to continue it (finished parts are kept) or --force to start over",
                          context: .init(path: path))
        case .run, .unknownFiles:
            if force { try clear(); return try claim(fingerprint) }
            throw YiError(.outputState, "holds the output of a different run (other inputs, options or tokenizer): choose another --out, or pass --force to replace it",
                          context: .init(path: path))
        }
    }

    private enum State: Equatable { case empty, run(String), unknownFiles }

    private func existingState() throws -> State {
        if let manifest = try? Manifest.read(path: manifestPath) { return .run(Self.fingerprint(of: manifest) ?? "") }
        if let recorded = try? String(contentsOfFile: fingerprintPath, encoding: .utf8) { return .run(recorded) }
        let markers = (try? FileManager.default.contentsOfDirectory(atPath: partsPath))?.filter { $0.hasSuffix(".json") } ?? []
        for name in markers.sorted() {
            if let marker = try? Manifest.read(path: (partsPath as NSString).appendingPathComponent(name)),
               let fingerprint = Self.fingerprint(of: marker) {
                return .run(fingerprint)
            }
        }
        let shardFolders = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasPrefix("len-") }
        for folder in shardFolders {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: (path as NSString).appendingPathComponent(folder))) ?? []
            if files.contains(where: { $0.hasPrefix("shard-") }) { return .unknownFiles }
        }
        return .empty
    }

    /// The marker of a finished part of this run, nil when the part must be (re)done.
    func completedPart(_ part: Int, fingerprint: String) throws -> Manifest? {
        let markerPath = markerPath(part)
        guard FileManager.default.fileExists(atPath: markerPath) else { return nil }
        let marker = try Manifest.read(path: markerPath)
        guard Self.fingerprint(of: marker) == fingerprint else { return nil }
        // A marker whose shards were removed since does not count.
        for bucket in marker.buckets {
            for shard in bucket.shards {
                let prefix = (path as NSString).appendingPathComponent(bucket.directory + "/" + shard.name)
                for (ext, digest) in shard.files {
                    if fileSize(atPath: prefix + "." + ext) != digest.bytes { return nil }
                }
            }
        }
        return marker
    }

    /// Removes whatever an interrupted attempt at `part` left (its shards and temporary files).
    func clearPart(_ part: WorkPart, lengths: [Int]) throws {
        let shardPrefix = PartRunner.shardPrefix(part: part.index) + "-"
        for length in lengths {
            let directory = (path as NSString).appendingPathComponent(BucketManifest.directoryName(sequenceLength: length))
            try createDirectory(directory)
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix(shardPrefix) {
                try remove((directory as NSString).appendingPathComponent(name))
            }
        }
        try? remove(markerPath(part.index))
        try? remove((path as NSString).appendingPathComponent(Provenance.relativePath(part: part.index)))
        try removeTemporaryFiles(in: partsPath) { $0.hasPrefix(WorkPart.name(part.index) + ".json.tmp-") }
    }

    /// Removes the temporary files a killed run left beside `manifest.json` and in `.parts/`.
    /// Only when no other process may be writing here (a single-rank run, `merge`): a rank
    /// cannot tell a dead writer's temporary file from a live one's.
    func removeStaleTemporaryFiles() throws {
        try removeTemporaryFiles(in: path) { $0.hasPrefix(Manifest.fileName + ".tmp-") }
        try removeTemporaryFiles(in: partsPath) { $0.contains(".tmp-") }
        try removeTemporaryFiles(in: (path as NSString).appendingPathComponent(Provenance.directoryName)) { $0.contains(".tmp-") }
    }

    private func removeTemporaryFiles(in directory: String, where matches: (String) -> Bool) throws {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where matches(name) {
            try remove((directory as NSString).appendingPathComponent(name))
        }
    }

    func writeMarker(_ marker: Manifest, part: Int) throws {
        try marker.write(toPath: markerPath(part))
    }

    private func clear() throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: path)) ?? []
        where name.hasPrefix("len-") || name == Manifest.fileName || name == OutputFolder.partsDirectory
            || name == Provenance.directoryName {
            try remove((path as NSString).appendingPathComponent(name))
        }
        try createDirectory(partsPath)
    }

    /// Records the run's fingerprint before any shard is written, so that a rank starting while
    /// another is in the middle of a part (shards, no marker yet) sees this run, not unknown files.
    /// `link` never replaces an existing file: when ranks start together, the first one wins and
    /// the others compare.
    private func claim(_ fingerprint: String) throws {
        let temporary = fingerprintPath + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(fingerprint.utf8)) else {
            throw YiError(.io, "cannot write", context: .init(path: temporary))
        }
        defer { unlink(temporary) }
        if link(temporary, fingerprintPath) != 0 && errno != EEXIST {
            throw YiError(.io, "cannot write", context: .init(path: fingerprintPath), cause: "errno \(errno)")
        }
        guard (try? String(contentsOfFile: fingerprintPath, encoding: .utf8)) == fingerprint else {
            throw YiError(.outputState, "holds the output of a different run (other inputs, options or tokenizer): choose another --out, or pass --force to replace it",
                          context: .init(path: path))
        }
    }

    static func fingerprint(of manifest: Manifest) -> String? {
        manifest.extra.first { $0.0 == "run_fingerprint" }?.1.stringValue
    }

    private func createDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw YiError(.io, "cannot create folder", context: .init(path: directory), cause: "\(error)")
        }
    }

    private func remove(_ item: String) throws {
        do {
            try FileManager.default.removeItem(atPath: item)
        } catch {
            throw YiError(.io, "cannot remove", context: .init(path: item), cause: "\(error)")
        }
    }
}
