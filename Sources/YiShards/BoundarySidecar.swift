import YiCore

/// The document-boundaries sidecar `shard-NNNNN.docs` (layout in docs/formats.md).
///
/// Spans are streamed as sequences are written; the per-sequence table (where each sequence's
/// spans start) and a trailer with the counts follow them, so the writer never seeks and a
/// reader finds sequence k's spans with two reads.
public enum BoundarySidecarFormat {
    public static let magic: [UInt8] = Array("YIDOCS".utf8) + [0, 0]
    public static let trailerMagic: [UInt8] = Array("YIDOCEND".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 32
    public static let recordSize = 32
    public static let trailerSize = 32

    public static let flagDocumentEnd: UInt32 = 1 << 0
    public static let flagContinuation: UInt32 = 1 << 1
    public static let knownFlags: UInt32 = flagDocumentEnd | flagContinuation

    public static func tableOffset(spans: Int) -> Int64 { Int64(headerSize) + Int64(recordSize) * Int64(spans) }

    public static func fileSize(sequences: Int, spans: Int) -> Int64 {
        tableOffset(spans: spans) + 8 * Int64(sequences + 1) + Int64(trailerSize)
    }
}

/// One span record exactly as stored (flags kept raw so `verify` can see unknown bits).
public struct SidecarSpanRecord: Sendable, Equatable {
    public var documentOrdinal: UInt64
    public var offset: UInt32
    public var length: UInt32
    public var part: UInt32
    public var sourceIndex: UInt32
    public var flags: UInt32
    public var reserved: UInt32

    public init(_ span: DocumentSpan) {
        documentOrdinal = UInt64(span.documentOrdinal)
        offset = UInt32(span.offset)
        length = UInt32(span.length)
        part = UInt32(span.part)
        sourceIndex = UInt32(span.sourceIndex)
        flags = (span.isDocumentEnd ? BoundarySidecarFormat.flagDocumentEnd : 0)
            | (span.part > 0 ? BoundarySidecarFormat.flagContinuation : 0)
        reserved = 0
    }

    init(decoding raw: UnsafeRawBufferPointer, at base: Int) {
        func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + at, as: UInt32.self)) }
        documentOrdinal = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self))
        offset = u32(8)
        length = u32(12)
        part = u32(16)
        sourceIndex = u32(20)
        flags = u32(24)
        reserved = u32(28)
    }

    public var isDocumentEnd: Bool { flags & BoundarySidecarFormat.flagDocumentEnd != 0 }
    public var isContinuation: Bool { flags & BoundarySidecarFormat.flagContinuation != 0 }

    public var span: DocumentSpan {
        DocumentSpan(offset: Int(offset), length: Int(length), documentOrdinal: Int(documentOrdinal),
                     part: Int(part), isDocumentEnd: isDocumentEnd, sourceIndex: Int(sourceIndex))
    }

    func append(to out: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        put(documentOrdinal); put(offset); put(length); put(part); put(sourceIndex); put(flags); put(reserved)
    }
}

/// Streams a sidecar: header now, span records per sequence, table and trailer at `finish()`.
/// Memory: 8 bytes per sequence (the table).
final class BoundarySidecarWriter {
    private let out: HashingFileWriter
    private var firstSpan: [UInt64] = []
    private var spanCount: UInt64 = 0
    private var scratch: [UInt8] = []

    init(path: String, sequenceLength: Int) throws {
        out = try HashingFileWriter(path: path)
        try out.write(BoundarySidecarFormat.magic)
        try out.writeLittleEndian(BoundarySidecarFormat.version)
        try out.writeLittleEndian(UInt32(BoundarySidecarFormat.recordSize))
        try out.writeLittleEndian(UInt64(sequenceLength))
        try out.writeLittleEndian(UInt64(0))
    }

    func append(spans: [DocumentSpan]) throws {
        firstSpan.append(spanCount)
        scratch.removeAll(keepingCapacity: true)
        for span in spans { SidecarSpanRecord(span).append(to: &scratch) }
        try out.write(scratch)
        spanCount += UInt64(spans.count)
    }

    var sequences: Int { firstSpan.count }
    var spans: Int { Int(spanCount) }

    func commit() throws -> FileDigest {
        let tableOffset = UInt64(BoundarySidecarFormat.tableOffset(spans: Int(spanCount)))
        scratch.removeAll(keepingCapacity: true)
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { scratch.append(contentsOf: $0) } }
        for first in firstSpan { put(first) }
        put(spanCount)
        put(UInt64(firstSpan.count))
        put(spanCount)
        put(tableOffset)
        scratch.append(contentsOf: BoundarySidecarFormat.trailerMagic)
        try out.write(scratch)
        return try out.commit()
    }

    func abort() { out.abort() }
}

/// An opened sidecar whose header, trailer and size agree.
final class BoundarySidecarFile {
    let file: ReadOnlyFile
    let sequenceLength: Int
    let sequenceCount: Int
    let spanCount: Int

    init(path: String) throws {
        file = try ReadOnlyFile(path: path)
        let minimum = Int64(BoundarySidecarFormat.headerSize + BoundarySidecarFormat.trailerSize + 8)
        if file.size < minimum {
            throw YiError(.corruptInput, "sidecar is \(file.size) bytes, smaller than an empty one (\(minimum))",
                          context: .init(path: path, byteOffset: 0))
        }
        let head = try file.bytes(at: 0, count: BoundarySidecarFormat.headerSize, what: "the sidecar header")
        if Array(head[0..<8]) != BoundarySidecarFormat.magic {
            throw YiError(.corruptInput, "bad sidecar magic (expected YIDOCS\\0\\0)", context: .init(path: path, byteOffset: 0))
        }
        let (version, recordSize, length) = head.withUnsafeBytes {
            (UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
             UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
             UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        }
        if version != BoundarySidecarFormat.version {
            throw YiError(.corruptInput, "unsupported sidecar version \(version) (expected 1)", context: .init(path: path, byteOffset: 8))
        }
        if recordSize != UInt32(BoundarySidecarFormat.recordSize) {
            throw YiError(.corruptInput, "sidecar span record size \(recordSize) (expected 32)", context: .init(path: path, byteOffset: 12))
        }
        let trailerAt = file.size - Int64(BoundarySidecarFormat.trailerSize)
        let trailer = try file.bytes(at: trailerAt, count: BoundarySidecarFormat.trailerSize, what: "the sidecar trailer")
        if Array(trailer[24..<32]) != BoundarySidecarFormat.trailerMagic {
            throw YiError(.corruptInput, "bad sidecar trailer magic (expected YIDOCEND): file truncated or damaged",
                          context: .init(path: path, byteOffset: trailerAt + 24))
        }
        let (sequences, spans, tableOffset) = trailer.withUnsafeBytes {
            (UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
             UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        }
        let limit = UInt64(file.size)
        guard sequences < limit, spans < limit,
              BoundarySidecarFormat.fileSize(sequences: Int(sequences), spans: Int(spans)) == file.size else {
            throw YiError(.corruptInput, "sidecar trailer says \(sequences) sequences and \(spans) spans, which does not match its size \(file.size)",
                          context: .init(path: path, byteOffset: trailerAt))
        }
        if tableOffset != UInt64(BoundarySidecarFormat.tableOffset(spans: Int(spans))) {
            throw YiError(.corruptInput, "sidecar trailer table offset \(tableOffset) does not follow its \(spans) spans",
                          context: .init(path: path, byteOffset: trailerAt + 16))
        }
        // Megatron's lengths are int32; a larger header value is damage (and must not trap here).
        guard length <= UInt64(Int32.max) else {
            throw YiError(.corruptInput, "sidecar header says sequences of \(length) tokens, more than any shard can hold",
                          context: .init(path: path, byteOffset: 16))
        }
        sequenceLength = Int(length)
        sequenceCount = Int(sequences)
        spanCount = Int(spans)
    }

    func tableEntryOffset(_ sequence: Int) -> Int64 {
        BoundarySidecarFormat.tableOffset(spans: spanCount) + 8 * Int64(sequence)
    }

    func recordOffset(_ span: Int) -> Int64 {
        Int64(BoundarySidecarFormat.headerSize) + Int64(BoundarySidecarFormat.recordSize) * Int64(span)
    }

    /// The span index range of one sequence (checked against the span count).
    func spanRange(ofSequence sequence: Int) throws -> Range<Int> {
        precondition(sequence >= 0 && sequence < sequenceCount, "sequence \(sequence) out of range")
        let first = try file.littleEndian(UInt64.self, at: tableEntryOffset(sequence), what: "the sequence table")
        let end = try file.littleEndian(UInt64.self, at: tableEntryOffset(sequence + 1), what: "the sequence table")
        guard first <= end, end <= UInt64(spanCount) else {
            throw YiError(.corruptInput, "sequence table entry \(sequence) points outside the spans (\(first)..<\(end) of \(spanCount))",
                          context: .init(path: file.path, byteOffset: tableEntryOffset(sequence)))
        }
        return Int(first)..<Int(end)
    }

    func records(ofSequence sequence: Int) throws -> [SidecarSpanRecord] {
        let range = try spanRange(ofSequence: sequence)
        if range.isEmpty { return [] }
        let raw = try file.bytes(at: recordOffset(range.lowerBound), count: range.count * BoundarySidecarFormat.recordSize,
                                 what: "span records")
        return raw.withUnsafeBytes { buffer in
            (0..<range.count).map { SidecarSpanRecord(decoding: buffer, at: $0 * BoundarySidecarFormat.recordSize) }
        }
    }

    /// Streams every sequence's records in order; `body` gets the sequence index and its records.
    func forEachSequence(_ body: (Int, [SidecarSpanRecord]) throws -> Void) throws {
        var cursor = SidecarSequenceCursor(self)
        while let (sequence, records) = try cursor.next() { try body(sequence, records) }
    }
}

/// Walks a sidecar's sequences in order with bounded memory; a table entry out of order is an
/// error naming its byte offset.
struct SidecarSequenceCursor {
    let sidecar: BoundarySidecarFile
    private var table: FileCursor
    private var records: FileCursor
    private var sequence = 0
    private var previous: UInt64?
    private var batch: [SidecarSpanRecord] = []

    init(_ sidecar: BoundarySidecarFile) {
        self.sidecar = sidecar
        table = FileCursor(file: sidecar.file, offset: sidecar.tableEntryOffset(0))
        records = FileCursor(file: sidecar.file, offset: sidecar.recordOffset(0))
    }

    mutating func next() throws -> (Int, [SidecarSpanRecord])? {
        let path = sidecar.file.path
        if previous == nil {
            let first = try table.next(UInt64.self, what: "the sequence table")
            if first != 0 {
                throw YiError(.corruptInput, "sequence table starts at span \(first), not 0",
                              context: .init(path: path, byteOffset: sidecar.tableEntryOffset(0)))
            }
            previous = first
        }
        guard sequence < sidecar.sequenceCount, let start = previous else { return nil }
        let end = try table.next(UInt64.self, what: "the sequence table")
        guard end >= start, end <= UInt64(sidecar.spanCount) else {
            throw YiError(.corruptInput,
                          "sequence table entry \(sequence + 1) = \(end) is out of order (previous \(start), spans \(sidecar.spanCount))",
                          context: .init(path: path, byteOffset: sidecar.tableEntryOffset(sequence + 1)))
        }
        if sequence + 1 == sidecar.sequenceCount, end != UInt64(sidecar.spanCount) {
            throw YiError(.corruptInput, "sequence table ends at span \(end) but the sidecar holds \(sidecar.spanCount)",
                          context: .init(path: path, byteOffset: sidecar.tableEntryOffset(sidecar.sequenceCount)))
        }
        batch.removeAll(keepingCapacity: true)
        for _ in start..<end {
            batch.append(try records.withNext(BoundarySidecarFormat.recordSize, what: "span records") {
                SidecarSpanRecord(decoding: $0, at: 0)
            })
        }
        defer { sequence += 1; previous = end }
        return (sequence, batch)
    }
}
