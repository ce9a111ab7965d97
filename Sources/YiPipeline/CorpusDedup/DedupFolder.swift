import Foundation
import YiCore
import YiReaders

/// The dedup output folder (docs/dedup.md "On-disk layout"):
/// ```
/// DIR/run-fingerprint                         the run's options and inputs (first writer wins)
/// DIR/docs/part-PPPPP.jsonl                   each document of a part: [source, path, position, id]
/// DIR/keys/part-PPPPP/{exact,near}-SSSS.bin   (key1, key2, ordinal) records, by key shard
/// DIR/links/{exact,near}-SSSS.bin             (ordinal, first ordinal with the same key) records
/// DIR/.done/signatures/part-PPPPP.json        completion markers (written last)
/// DIR/.done/buckets/{exact,near}-SSSS.json
/// DIR/cc/<step>/<unit>/to-SSSS.bin           the clusters pass's working files (`DedupClusterPass`)
/// DIR/.done/clusters/<step unit>.json
/// DIR/drop/part-PPPPP.jsonl                   the drop list, one line per dropped document
/// DIR/drop-list.json                          written last: totals, parts, the run's options
/// ```
/// Ranks coordinate only through these files: a pass reads only what completed markers vouch for.
struct DedupFolder {
    let path: String

    func join(_ components: String...) -> String {
        components.reduce(path) { ($0 as NSString).appendingPathComponent($1) }
    }

    var fingerprintPath: String { join("run-fingerprint") }
    var dropListPath: String { join(DropList.indexName) }
    func docsPath(part: Int) -> String { join("docs", WorkPart.name(part) + ".jsonl") }
    func keysDirectory(part: Int) -> String { join("keys", WorkPart.name(part)) }
    func keysPath(part: Int, shard: KeyShard) -> String { join("keys", WorkPart.name(part), shard.name + ".bin") }
    func linksPath(_ shard: KeyShard) -> String { join("links", shard.name + ".bin") }
    func dropPath(part: Int) -> String { join("drop", WorkPart.name(part) + ".jsonl") }
    func markerPath(_ pass: CorpusDedupPass, _ name: String) -> String { join(".done", pass.rawValue, name + ".json") }

    /// Creates the folder, or checks that it holds this same run (then finished work is kept).
    func prepare(fingerprint: String, force: Bool) throws {
        try Self.createDirectory(path)
        if let recorded = try? String(contentsOfFile: fingerprintPath, encoding: .utf8), recorded != fingerprint {
            guard force else {
                throw YiError(.outputState, "holds the dedup of a different run (other inputs or options): choose another --out, or pass --force to replace it",
                              context: .init(path: path))
            }
            for name in ["run-fingerprint", "docs", "keys", "links", "cc", ".done", "drop", DropList.indexName] {
                try? FileManager.default.removeItem(atPath: join(name))
            }
        }
        for folder in ["docs", "keys", "links", "cc", "drop", ".done/signatures", ".done/buckets", ".done/clusters"] {
            try Self.createDirectory(join(folder))
        }
        // `link` never replaces: when ranks start together the first one wins and the others compare.
        let temporary = fingerprintPath + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(fingerprint.utf8)) else {
            throw YiError(.io, "cannot write", context: .init(path: temporary))
        }
        defer { unlink(temporary) }
        if link(temporary, fingerprintPath) != 0 && errno != EEXIST {
            throw YiError(.io, "cannot write", context: .init(path: fingerprintPath), cause: errnoText())
        }
        guard (try? String(contentsOfFile: fingerprintPath, encoding: .utf8)) == fingerprint else {
            throw YiError(.outputState, "holds the dedup of a different run (other inputs or options): choose another --out, or pass --force to replace it",
                          context: .init(path: path))
        }
    }

    /// The marker of finished work of this run, nil when it must be (re)done.
    func marker(_ pass: CorpusDedupPass, _ name: String, fingerprint: String) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: markerPath(pass, name)),
              let value = try? JSONParser.parse(bytes: [UInt8](data)),
              value["fingerprint"]?.stringValue == fingerprint else { return nil }
        return value
    }

    func writeMarker(_ pass: CorpusDedupPass, _ name: String, fingerprint: String, _ members: [(String, JSONValue)]) throws {
        try AtomicFileWriter.write(JSONWriter.string(.object([("fingerprint", .string(fingerprint))] + members)),
                                   to: markerPath(pass, name))
    }

    static func createDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw YiError(.io, "cannot create folder", context: .init(path: directory), cause: "\(error)")
        }
    }
}

/// One shard of the keys of one kind: the unit of the buckets pass.
struct KeyShard: Hashable {
    enum Kind: String { case exact, near }
    var kind: Kind
    var index: Int

    var name: String {
        let digits = String(index)
        return kind.rawValue + "-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The shard of a key: spread by a hash of both words, so band keys of all bands mix.
    static func index(_ key1: UInt64, _ key2: UInt64, shards: Int) -> Int {
        Int(SplitMix64.mix(key1 &* 0x9E37_79B9_7F4A_7C15 ^ key2) % UInt64(shards))
    }
}

/// A key record: the key's two words and the document's ordinal (part << 40 | index in part),
/// 24 bytes little-endian. Sorting by (key1, key2, ordinal) puts each key's first document first.
struct KeyRecord: WordRecord {
    static let width = 3
    var key1: UInt64
    var key2: UInt64
    var ordinal: UInt64

    init(_ reader: WordRecordReader) { key1 = reader[0]; key2 = reader[1]; ordinal = reader[2] }
    func append(to words: inout [UInt64]) { words.append(key1); words.append(key2); words.append(ordinal) }

    static func < (a: KeyRecord, b: KeyRecord) -> Bool {
        (a.key1, a.key2, a.ordinal) < (b.key1, b.key2, b.ordinal)
    }
}

/// Fixed-width little-endian UInt64 records in a file (or a byte range of it), read in blocks.
struct WordRecordReader {
    private let handle: UnsafeMutablePointer<FILE>
    let path: String
    let width: Int
    private var block: [UInt64]
    private var position = 0
    private var available = 0
    /// Records left to read in the range (unlimited for a whole file).
    private var remaining: Int

    init(path: String, width: Int, blockRecords: Int = 1 << 14, range: Range<Int64>? = nil) throws {
        guard let handle = fopen(path, "rb") else {
            throw YiError(.io, "cannot open", context: .init(path: path), cause: errnoText())
        }
        if let range, fseeko(handle, off_t(range.lowerBound), SEEK_SET) != 0 {
            fclose(handle)
            throw YiError(.io, "cannot seek to \(range.lowerBound)", context: .init(path: path), cause: errnoText())
        }
        self.handle = handle
        self.path = path
        self.width = width
        remaining = range.map { Int($0.count) / (8 * width) } ?? Int.max
        block = [UInt64](repeating: 0, count: min(blockRecords, max(1, remaining)) * width)
    }

    func close() { fclose(handle) }

    /// Moves to the next record; false at the end. Its words are then `self[0]`, `self[1]`, ...
    mutating func next() throws -> Bool {
        position += width
        if position >= available {
            let wanted = min(block.count / width, remaining)
            let records = wanted == 0 ? 0 : block.withUnsafeMutableBytes { fread($0.baseAddress, 8 * width, wanted, handle) }
            if records == 0 {
                if ferror(handle) != 0 { throw YiError(.io, "cannot read", context: .init(path: path), cause: errnoText()) }
                return false
            }
            remaining -= records
            position = 0
            available = records * width
        }
        return true
    }

    subscript(word: Int) -> UInt64 { UInt64(littleEndian: block[position + word]) }
}

/// How a document is named in the drop list and recognised again by `pack --drop-list`,
/// whatever the part size: by input file and the record's place in it (JSON lines: byte offset
/// of the line in the decompressed stream, the file offset for plain files whether read whole or
/// as slices; MediaWiki pages: the page id), falling back to the document id.
public enum DocumentPosition {
    public static func of(_ document: Document, format: InputFormat) -> String {
        if format == .mediaWikiXML { return "page:" + document.id }
        if let offset = document.location.byteOffset { return "@\(offset)" }
        return "id:" + document.id
    }
}
