import YiCore
import YiIO

/// The decompressed bytes of an input, or of its slice.
///
/// A slice of a plain file is cut at line starts (`LineSliceByteStream`); a slice of a compressed
/// file is a run of whole zstd frames or bzip2 streams, decoded on its own. MediaWiki XML slices
/// are wrapped so that they read as a document of their own (`MediaWikiSliceByteStream`).
func openSliceByteStream(_ input: DiscoveredInput) throws -> ByteStream {
    guard let range = input.range else {
        return try openByteStream(path: input.path, compression: input.compression)
    }
    let content: ByteStream
    if input.compression == .none {
        precondition(input.format == .jsonl, "only JSON lines are sliced uncompressed")
        content = try LineSliceByteStream(path: input.path, range: range)
    } else {
        content = try decompressing(FileByteStream(path: input.path, range: range), input.compression)
    }
    guard input.format == .mediaWikiXML else { return content }
    return try MediaWikiSliceByteStream(input: input, range: range, content: content)
}
