import YiCore
import YiIO

/// A document source for one input file, with what the pipeline needs to show progress.
///
/// Follows `DocumentSource`'s contract: record problems go to the `RejectLog` and reading goes
/// on; damage to the file throws `YiError(.corruptInput)` after every good document before it was
/// returned, and the source then ends. Not thread-safe: one source per worker.
public protocol InputDocumentSource: DocumentSource, AnyObject {
    var input: DiscoveredInput { get }
    /// Bytes read from the file on disk so far (compressed bytes for compressed files); compare
    /// with `input.size` for progress.
    var fileBytesRead: Int64 { get }
    /// Bytes of decompressed content read so far.
    var decompressedBytesRead: Int64 { get }
    /// What the reader skipped on purpose, by reason (`reader.skipped.redirect`, ...), and
    /// `reader.documents`, the documents it returned. Rejected records are counted by the
    /// `RejectLog` instead.
    var counters: Counters { get }
}

/// Opens the reader for a discovered input: JSONL or MediaWiki XML, decompressing as needed.
/// A slice (`input.range`) is read by the rules of `sliceInput`.
public func openDocumentSource(for input: DiscoveredInput, options: ReaderOptions, rejects: RejectLog) throws -> any InputDocumentSource {
    let stream = try openSliceByteStream(input)
    switch input.format {
    case .jsonl:
        return try JSONLDocumentSource(input: input, stream: stream, options: options, rejects: rejects)
    case .mediaWikiXML:
        if options.chat != nil {
            throw YiError(.usage, "chat input must be JSONL with \"messages\" or \"conversations\"; this is a MediaWiki dump",
                          context: .init(path: input.path))
        }
        return try MediaWikiDocumentSource(input: input, stream: stream, options: options)
    }
}
