import Foundation

/// Why a record was not used. Stable kebab-case names: they become `rejected.<reason>` counters
/// and the `reason` field of the rejects file.
public struct RejectReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let malformedJSON = RejectReason("malformed-json")
    public static let missingText = RejectReason("missing-text")
    public static let nonStringText = RejectReason("non-string-text")
    public static let emptyText = RejectReason("empty-text")
    public static let invalidUTF8 = RejectReason("invalid-utf8")
    public static let emptyLine = RejectReason("empty-line")
    public static let notAnObject = RejectReason("not-an-object")
}

/// One record that was not used, with enough context to find it again.
public struct RejectedRecord: Sendable {
    public var reason: RejectReason
    public var location: SourceLocation
    public var detail: String
    /// The start of the raw record (truncated), to make the rejects file self-explanatory.
    public var excerpt: String?

    public init(reason: RejectReason, location: SourceLocation, detail: String, excerpt: String? = nil) {
        self.reason = reason
        self.location = location
        self.detail = detail
        self.excerpt = excerpt
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("reason", .string(reason.rawValue)),
            ("file", .string(location.path)),
        ]
        if let line = location.line { members.append(("line", .int(Int64(line)))) }
        if let offset = location.byteOffset { members.append(("byte_offset", .int(offset))) }
        members.append(("detail", .string(detail)))
        if let excerpt { members.append(("excerpt", .string(excerpt))) }
        return .object(members)
    }
}

/// Where rejected records go: counted by reason, optionally written to a JSONL rejects file, and
/// fatal under `--strict`. Shared by all readers of a run; safe to call from several threads.
public final class RejectLog: @unchecked Sendable {
    public let strict: Bool
    private let lock = NSLock()
    private var counts: [RejectReason: Int] = [:]
    private var file: AtomicFileWriter?

    /// True when a rejected record's details are used: written to the rejects file, or the error
    /// of `--strict`. Otherwise a reader only needs `tally`, without building the record (a
    /// million blank lines cost a second when each got its text, location and JSON line).
    public let wantsDetails: Bool

    /// - Parameter rejectsPath: where to write one JSON line per rejected record (nil: count only).
    public init(strict: Bool = false, rejectsPath: String? = nil) throws {
        self.strict = strict
        if let rejectsPath { file = try AtomicFileWriter(path: rejectsPath) }
        wantsDetails = strict || rejectsPath != nil
    }

    /// Counts a rejected record whose details nobody reads (see `wantsDetails`).
    public func tally(_ reason: RejectReason) {
        lock.lock()
        counts[reason, default: 0] += 1
        lock.unlock()
    }

    /// Counts the record; throws `.rejectedRecord` in strict mode.
    public func reject(_ record: RejectedRecord) throws {
        lock.lock()
        counts[record.reason, default: 0] += 1
        var writeError: Error?
        if let file {
            do { try file.write(JSONWriter.string(record.json) + "\n") } catch { writeError = error }
        }
        lock.unlock()
        if let writeError { throw writeError }
        if strict {
            throw YiError(.rejectedRecord, "\(record.reason): \(record.detail) (--strict stops at the first rejected record)",
                          context: .init(path: record.location.path, byteOffset: record.location.byteOffset,
                                         line: record.location.line))
        }
    }

    public var total: Int {
        lock.lock(); defer { lock.unlock() }
        return counts.values.reduce(0, +)
    }

    public func count(_ reason: RejectReason) -> Int {
        lock.lock(); defer { lock.unlock() }
        return counts[reason, default: 0]
    }

    /// `rejected.<reason>` counters.
    public var counters: Counters {
        lock.lock(); defer { lock.unlock() }
        var c = Counters()
        for (reason, n) in counts { c.add("rejected.\(reason.rawValue)", n) }
        return c
    }

    /// Moves the rejects file into place (call once at the end of a run).
    public func finish() throws {
        lock.lock(); defer { lock.unlock() }
        try file?.commit()
        file = nil
    }
}
