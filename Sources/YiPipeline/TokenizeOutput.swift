#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import YiCore

/// What `yi-prep tokenize` writes.
public enum TokenizeFormat: String, Sendable, CaseIterable {
    /// One JSON line per document: `{"id": ..., "ids": [...]}`.
    case jsonl
    /// `PREFIX.ids.npy` (all documents' ids concatenated, uint32), `PREFIX.offsets.npy` (int64,
    /// documents + 1 entries: document k is `ids[offsets[k]:offsets[k+1]]`) and
    /// `PREFIX.documents.jsonl` (`{"id": ...}` per document, in the same order); with `--chat`,
    /// also `PREFIX.loss_mask.npy` (uint8, 0/1 per id, aligned with the ids).
    case npy

    /// The files an npy run writes for `prefix`.
    public static func npyPaths(prefix: String) -> (ids: String, offsets: String, documents: String, lossMask: String) {
        (prefix + ".ids.npy", prefix + ".offsets.npy", prefix + ".documents.jsonl", prefix + ".loss_mask.npy")
    }
}

/// One batch of documents formatted for the output, on a worker thread, so that the writer only
/// copies bytes.
struct TokenizeBatchOutput: Sendable {
    let format: TokenizeFormat
    /// jsonl: the lines; npy: the `{"id": ...}` lines of the documents file.
    var text: [UInt8] = []
    /// npy: the documents' ids, concatenated, and each document's length.
    var ids: [TokenID] = []
    var lengths: [Int] = []
    /// npy with conversations: the loss masks, aligned with `ids`.
    var lossMasks: [UInt8] = []

    init(format: TokenizeFormat) { self.format = format }

    /// `lossMask`: conversations only, 0/1 per id.
    mutating func add(documentID: String, ids documentIDs: [TokenID], lossMask: [TokenID]? = nil) {
        switch format {
        case .jsonl:
            text.append(contentsOf: #"{"id": "#.utf8)
            JSONWriter.appendQuoted(documentID, to: &text)
            text.append(contentsOf: #", "ids": "#.utf8)
            JSONWriter.appendIDs(documentIDs, to: &text)
            if let lossMask {
                text.append(contentsOf: #", "loss_mask": "#.utf8)
                JSONWriter.appendIDs(lossMask, to: &text)
            }
            text.append(contentsOf: "}\n".utf8)
        case .npy:
            text.append(contentsOf: #"{"id": "#.utf8)
            JSONWriter.appendQuoted(documentID, to: &text)
            text.append(contentsOf: "}\n".utf8)
            ids.append(contentsOf: documentIDs)
            lengths.append(documentIDs.count)
            if let lossMask { lossMasks.append(contentsOf: lossMask.lazy.map { UInt8($0) }) }
        }
    }
}

/// Writes formatted batches, in input order, to standard output, a JSONL file or the npy files;
/// files appear atomically on `commit()`.
final class TokenizeSink {
    private enum Target {
        case standardOutput
        case jsonl(AtomicFileWriter)
        case npy(ids: NpyArrayWriter<TokenID>, offsets: NpyArrayWriter<Int64>, documents: AtomicFileWriter,
                 lossMask: NpyArrayWriter<UInt8>?)
    }
    private let target: Target
    private var nextOffset: Int64 = 0

    /// `outputPath`: the JSONL file (nil: standard output), or the npy files' prefix (required).
    /// `lossMask`: the run reads conversations (npy: a `loss_mask.npy` is written too).
    init(format: TokenizeFormat, outputPath: String?, lossMask: Bool = false) throws {
        switch format {
        case .jsonl:
            target = try outputPath.map { .jsonl(try AtomicFileWriter(path: $0)) } ?? .standardOutput
        case .npy:
            guard let outputPath else {
                throw YiError(.usage, "--format npy needs --output PREFIX (it writes PREFIX.ids.npy, PREFIX.offsets.npy, PREFIX.documents.jsonl)")
            }
            let paths = TokenizeFormat.npyPaths(prefix: outputPath)
            let offsets = try NpyArrayWriter<Int64>(path: paths.offsets)
            try offsets.append(0)
            target = .npy(ids: try NpyArrayWriter(path: paths.ids), offsets: offsets,
                          documents: try AtomicFileWriter(path: paths.documents),
                          lossMask: lossMask ? try NpyArrayWriter(path: paths.lossMask) : nil)
        }
    }

    func append(_ batch: TokenizeBatchOutput) throws {
        switch target {
        case .standardOutput:
            try Self.writeStandardOutput(batch.text)
        case .jsonl(let file):
            try file.write(batch.text)
        case .npy(let ids, let offsets, let documents, let lossMask):
            try ids.append(contentsOf: batch.ids)
            try lossMask?.append(contentsOf: batch.lossMasks)
            for length in batch.lengths {
                nextOffset += Int64(length)
                try offsets.append(nextOffset)
            }
            try documents.write(batch.text)
        }
    }

    func commit() throws {
        switch target {
        case .standardOutput: break
        case .jsonl(let file): try file.commit()
        case .npy(let ids, let offsets, let documents, let lossMask):
            try ids.commit()
            try lossMask?.commit()
            try offsets.commit()
            try documents.commit()
        }
    }

    /// Straight to file descriptor 1 (no copy into Foundation's Data per batch).
    private static func writeStandardOutput(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = write(1, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw YiError(.io, "cannot write to standard output", cause: errnoText())
                }
                done += n
            }
        }
    }
}
