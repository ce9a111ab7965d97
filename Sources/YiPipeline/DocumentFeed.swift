import Foundation
import YiCore
import YiReaders

/// A batch of consecutive documents: the unit handed to worker threads.
public struct DocumentBatch: Sendable {
    /// Ordinal (input order over the whole run) of the first document.
    public var firstOrdinal: Int
    public var documents: [Document]
}

/// Reads the inputs of a run (or of one part) in order and hands out batches of documents. An
/// input may be a slice of a file (`DiscoveredInput.range`); it is read on its own.
///
/// Damaged files do not stop the run: the documents before the damage are kept, the error is
/// recorded in `damagedFiles` and reading goes on with the next file. Under `--strict` a rejected
/// record is fatal and its error propagates.
public final class DocumentFeed: @unchecked Sendable {
    public let inputs: [DiscoveredInput]
    private let options: ReaderOptions
    private let rejects: RejectLog
    private let batchBytes: Int
    private let batchDocuments: Int

    private let lock = NSLock()
    private var _damagedFiles: [YiError] = []
    private var _counters = Counters()
    private var _fileBytesDone: Int64 = 0
    /// The open file's consumed bytes as of the last batch, published by the reading thread (the
    /// source's own count is that thread's alone: reading it from the progress thread was a race).
    private var _currentFileBytes: Int64 = 0

    public init(inputs: [DiscoveredInput], options: ReaderOptions, rejects: RejectLog,
                batchBytes: Int = 1 << 20, batchDocuments: Int = 1024) {
        self.inputs = inputs
        self.options = options
        self.rejects = rejects
        self.batchBytes = batchBytes
        self.batchDocuments = batchDocuments
    }

    /// Files that ended in damage, in input order.
    public var damagedFiles: [YiError] { lock.lock(); defer { lock.unlock() }; return _damagedFiles }
    /// Reader counters (documents read, pages skipped by reason, ...) of all files read so far.
    public var counters: Counters { lock.lock(); defer { lock.unlock() }; return _counters }

    /// Bytes of the input files consumed so far (compressed bytes for compressed files).
    public var fileBytesRead: Int64 {
        lock.lock(); defer { lock.unlock() }
        return _fileBytesDone + _currentFileBytes
    }

    /// Reads everything, calling `submit` with batches in input order. Returns the number of
    /// documents read.
    @discardableResult
    public func run(startOrdinal: Int = 0, submit: (DocumentBatch) throws -> Void) throws -> Int {
        var ordinal = startOrdinal
        var batch: [Document] = []
        var batchTextBytes = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            try submit(DocumentBatch(firstOrdinal: ordinal - batch.count, documents: batch))
            batch = []
            batchTextBytes = 0
        }
        for input in inputs {
            var source = try openDocumentSource(for: input, options: options, rejects: rejects)
            defer {
                lock.lock()
                _fileBytesDone += input.bytes
                _currentFileBytes = 0
                _counters.merge(source.counters)
                lock.unlock()
            }
            do {
                while let document = try source.next() {
                    batchTextBytes += document.text.utf8.count
                    batch.append(document)
                    ordinal += 1
                    if batch.count >= batchDocuments || batchTextBytes >= batchBytes {
                        let consumed = source.fileBytesRead
                        lock.lock(); _currentFileBytes = consumed; lock.unlock()
                        try flush()
                    }
                }
            } catch let error as YiError where error.code == .corruptInput {
                lock.lock(); _damagedFiles.append(error.adding(.init(path: input.path))); lock.unlock()
            }
        }
        try flush()
        return ordinal - startOrdinal
    }
}
