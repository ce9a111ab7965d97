import Foundation
import YiCore

/// Where every packed document came from: one provenance file per work part,
/// `OUT/provenance/part-PPPPP.jsonl`, one JSON line per packed document instance in ordinal
/// order (the ordinal is the `.docs` sidecar's document ordinal, part · 2^40 + position):
///
///     {"ordinal":1099511627841,"input":3,"line":17,"byte":5231,"id":"doc-17"}
///
/// `input` indexes the manifest's `inputs` table; `line` (JSONL, 1-based) and `byte` (offset of
/// the record in the decompressed input) are present when known; `id` is the record's id (the
/// `id` field, `file:line`, or the wiki page id). Written as a stream beside the shards; the
/// binary `.docs` layout is unchanged. Format: docs/formats.md.
public enum Provenance {
    public static let directoryName = "provenance"

    /// `provenance/part-00003.jsonl`, relative to the output folder.
    public static func relativePath(part: Int) -> String {
        directoryName + "/part-" + String(format: "%05d", part) + ".jsonl"
    }

    public struct Record: Sendable, Equatable {
        public var ordinal: Int
        public var input: Int
        public var line: Int?
        public var byteOffset: Int64?
        public var id: String

        public init(ordinal: Int, input: Int, line: Int?, byteOffset: Int64?, id: String) {
            self.ordinal = ordinal
            self.input = input
            self.line = line
            self.byteOffset = byteOffset
            self.id = id
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [("ordinal", .int(Int64(ordinal))), ("input", .int(Int64(input)))]
            if let line { members.append(("line", .int(Int64(line)))) }
            if let byteOffset { members.append(("byte", .int(byteOffset))) }
            members.append(("id", .string(id)))
            return .object(members)
        }

        /// The record's line without its newline: the bytes `JSONWriter.string(json)` gives,
        /// written directly (one record per packed document; the `JSONValue` route cost about
        /// 20,000 instructions a line).
        func appendJSON(to out: inout [UInt8]) {
            out.append(contentsOf: #"{"ordinal":"#.utf8)
            JSONWriter.appendInteger(Int64(ordinal), to: &out)
            out.append(contentsOf: #","input":"#.utf8)
            JSONWriter.appendInteger(Int64(input), to: &out)
            if let line {
                out.append(contentsOf: #","line":"#.utf8)
                JSONWriter.appendInteger(Int64(line), to: &out)
            }
            if let byteOffset {
                out.append(contentsOf: #","byte":"#.utf8)
                JSONWriter.appendInteger(byteOffset, to: &out)
            }
            out.append(contentsOf: #","id":"#.utf8)
            JSONWriter.appendQuoted(id, to: &out)
            out.append(UInt8(ascii: "}"))
        }

        init(json: JSONValue) throws {
            guard let ordinal = json["ordinal"]?.intValue, let input = json["input"]?.intValue, let id = json["id"]?.stringValue else {
                throw YiError(.verifyFailed, "a provenance line lacks ordinal, input or id")
            }
            self.init(ordinal: Int(ordinal), input: Int(input), line: json["line"]?.intValue.map { Int($0) },
                      byteOffset: json["byte"]?.intValue, id: id)
        }
    }

    /// Streams one part's records to a temporary file; `commit` moves it into place.
    public final class Writer {
        private let file: AtomicFileWriter
        public private(set) var records = 0

        public init(outputDirectory: String, part: Int) throws {
            let path = (outputDirectory as NSString).appendingPathComponent(Provenance.relativePath(part: part))
            let folder = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw YiError(.io, "cannot create folder", context: .init(path: folder), cause: "\(error)")
            }
            file = try AtomicFileWriter(path: path)
        }

        private var line: [UInt8] = []

        public func append(_ record: Record) throws {
            line.removeAll(keepingCapacity: true)
            record.appendJSON(to: &line)
            line.append(UInt8(ascii: "\n"))
            try file.write(line)
            records += 1
        }

        /// The manifest entry of this file: `{part, file, records}`.
        public func commit(part: Int) throws -> JSONValue {
            try file.commit()
            return .object([("part", .int(Int64(part))), ("file", .string(Provenance.relativePath(part: part))),
                            ("records", .int(Int64(records)))])
        }
    }

    /// Every record of one part's file, in file order.
    public static func read(outputDirectory: String, part: Int) throws -> [Record] {
        let path = (outputDirectory as NSString).appendingPathComponent(relativePath(part: part))
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw YiError(.input, "cannot read the provenance file", context: .init(path: path))
        }
        var records: [Record] = []
        try JSONParser.forEachLine(of: text) { n, value in
            do { records.append(try Record(json: value.get())) } catch {
                throw YiError(.verifyFailed, "malformed provenance line", context: .init(path: path, line: n + 1))
            }
        }
        return records
    }

    /// `corpus/a.jsonl:17 (byte 5231), id "doc-17"`, for `inspect`.
    public static func describe(_ record: Record, inputs: [InputFile]) -> String {
        var where_ = record.input >= 0 && record.input < inputs.count ? inputs[record.input].path : "input #\(record.input)"
        if let line = record.line { where_ += ":\(line)" }
        if let byte = record.byteOffset { where_ += " (byte \(byte))" }
        return where_ + ", id \"\(record.id)\""
    }

    /// The records of the given ordinals (those found), reading only their parts' files.
    public static func lookup(outputDirectory: String, ordinals: [Int]) -> [Int: Record] {
        var found: [Int: Record] = [:]
        for part in Set(ordinals.map { $0 >> 40 }).sorted() {
            guard let records = try? read(outputDirectory: outputDirectory, part: part) else { continue }
            let wanted = Set(ordinals)
            for record in records where wanted.contains(record.ordinal) { found[record.ordinal] = record }
        }
        return found
    }

    /// Problems of the provenance files a manifest lists: missing or unreadable files, record
    /// counts that differ from the manifest, ordinals out of order or outside their part, inputs
    /// outside the manifest's table. Empty when sound.
    public static func problems(outputDirectory: String, manifest: Manifest) -> [String] {
        guard case .array(let entries)? = manifest.extra.first(where: { $0.0 == "provenance" })?.1 else { return [] }
        var problems: [String] = []
        for entry in entries {
            guard let part = entry["part"]?.intValue.map({ Int($0) }), let expected = entry["records"]?.intValue else {
                problems.append("a provenance entry of the manifest lacks part or records")
                continue
            }
            let name = relativePath(part: part)
            do {
                let records = try read(outputDirectory: outputDirectory, part: part)
                if records.count != Int(expected) {
                    problems.append("\(name): \(records.count) records, the manifest says \(expected)")
                }
                var previous = -1
                for record in records {
                    if record.ordinal >> 40 != part || record.ordinal <= previous {
                        problems.append("\(name): ordinal \(record.ordinal) is out of order or outside part \(part)")
                        break
                    }
                    if record.input < 0 || record.input >= manifest.inputs.count {
                        problems.append("\(name): input \(record.input) is not in the manifest's inputs")
                        break
                    }
                    previous = record.ordinal
                }
            } catch let error as YiError {
                problems.append("\(name): \(error.description)")
            } catch {
                problems.append("\(name): \(error)")
            }
        }
        return problems
    }
}
