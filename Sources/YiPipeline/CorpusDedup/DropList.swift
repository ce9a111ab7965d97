import Foundation
import YiCore

/// A finished `yi-prep dedup` folder as `pack --drop-list` reads it: which documents of an input
/// file to skip. Only the drop files of the dedup parts that read the file are loaded, so
/// memory follows the dropped documents of the files being packed, not of the corpus.
public final class DropList: @unchecked Sendable {
    static let indexName = "drop-list.json"
    static let formatName = "yi-prep-drop-list"
    /// The drop reason in pack's counters: `dropped.dedup.corpus`.
    public static let reason = "dedup.corpus"

    public let path: String
    public let index: JSONValue
    /// Input path → the drop files that may list its documents.
    private let partsByPath: [String: [String]]
    private let lock = NSLock()
    private var cache: (path: String, positions: Set<String>)?

    public init(path: String) throws {
        self.path = path
        let indexPath = (path as NSString).appendingPathComponent(Self.indexName)
        guard let text = try? String(contentsOfFile: indexPath, encoding: .utf8) else {
            throw YiError(.usage, "not a finished dedup folder (no \(Self.indexName)): run `yi-prep dedup` to the end first",
                          context: .init(path: path))
        }
        index = try JSONParser.parse(text)
        guard index["format"]?.stringValue == Self.formatName, index["version"]?.intValue == 1 else {
            throw YiError(.usage, "\(Self.indexName) is not a yi-prep drop list of version 1", context: .init(path: indexPath))
        }
        var parts: [String: [String]] = [:]
        if case .array(let list)? = index["parts"] {
            for part in list {
                guard let name = part["name"]?.stringValue, case .array(let paths)? = part["paths"] else { continue }
                let file = ((path as NSString).appendingPathComponent("drop") as NSString).appendingPathComponent(name + ".jsonl")
                for p in paths { if let p = p.stringValue { parts[p, default: []].append(file) } }
            }
        }
        partsByPath = parts
    }

    /// The dedup run's fingerprint: recorded in pack's options, so a different drop list makes a
    /// different run.
    public var fingerprint: String { index["fingerprint"]?.stringValue ?? "" }

    static func fingerprint(atPath path: String) -> String? {
        try? JSONParser.parse(String(contentsOfFile: (path as NSString).appendingPathComponent(indexName), encoding: .utf8))["fingerprint"]?.stringValue
    }

    /// The positions (`DocumentPosition`) of the dropped documents of input file `inputPath`.
    public func positions(inFile inputPath: String) throws -> Set<String> {
        lock.lock(); defer { lock.unlock() }
        if let cache, cache.path == inputPath { return cache.positions }
        var positions = Set<String>()
        for file in partsByPath[inputPath] ?? [] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw YiError(.io, "cannot read the drop list", context: .init(path: file))
            }
            try JSONParser.forEachLine(of: text) { _, value in
                let record = try value.get()
                if record["path"]?.stringValue == inputPath, let position = record["position"]?.stringValue {
                    positions.insert(position)
                }
            }
        }
        cache = (inputPath, positions)
        return positions
    }

    /// Dropped documents in the whole list (pack checks that it found them all).
    public var droppedTotal: Int { Int(index["dropped"]?.intValue ?? 0) }
}
