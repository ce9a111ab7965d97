import YiCore
import YiIO

/// A slice of a MediaWiki dump made readable as a document of its own.
///
/// Slices of a dump are cut where a run of `<page>` elements begins (a Wikipedia multistream
/// dump's stream or frame boundaries, checked by `sliceInput`). A slice after the first lacks the
/// dump's start — `<mediawiki ...>` and `<siteinfo>`, which name the wiki and its namespaces — so
/// that header is read from the start of the file (cheap: it comes before the first page) and put
/// in front. A slice before the last lacks `</mediawiki>`, which is put after it.
final class MediaWikiSliceByteStream: ByteStream {
    private let content: ByteStream
    private var prefix: [UInt8]
    private var suffix: [UInt8]
    private var prefixPosition = 0
    private var suffixPosition = 0
    private var contentEnded = false

    var path: String { content.path }
    var fileBytesRead: Int64 { content.fileBytesRead }
    var fileStartOffset: Int64 { content.fileStartOffset }

    /// The dump's header may not be longer than this (real ones are a few kilobytes).
    static let headerLimit = 16 << 20

    init(input: DiscoveredInput, range: ByteRange, content: ByteStream) throws {
        self.content = content
        prefix = range.start > 0 ? try Self.header(of: input) : []
        suffix = range.end < input.size ? Array("\n</mediawiki>\n".utf8) : []
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if prefixPosition < prefix.count {
            let n = min(buffer.count, prefix.count - prefixPosition)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + prefixPosition, byteCount: n) }
            prefixPosition += n
            return n
        }
        if !contentEnded {
            let n = try content.read(into: buffer)
            if n > 0 { return n }
            contentEnded = true
        }
        let n = min(buffer.count, suffix.count - suffixPosition)
        suffix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + suffixPosition, byteCount: n) }
        suffixPosition += n
        return n
    }

    /// The decompressed bytes of the dump before its first `<page>`.
    static func header(of input: DiscoveredInput) throws -> [UInt8] {
        let stream = try openByteStream(path: input.path, compression: input.compression)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < headerLimit {
            let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { break }
            let searchFrom = max(0, bytes.count - 5)
            bytes += chunk[..<n]
            if let start = firstPageTag(in: bytes, from: searchFrom) { return Array(bytes[..<start]) }
        }
        throw YiError(.corruptInput, "cannot read a slice of this dump: no <page> in its first \(headerLimit >> 20) MiB",
                      context: .init(path: input.path))
    }

    /// The offset of the first `<page>` or `<page ` at or after `from`.
    static func firstPageTag(in bytes: [UInt8], from: Int) -> Int? {
        let tag = Array("<page".utf8)
        var i = from
        while i + tag.count < bytes.count {
            if bytes[i] == 0x3C, bytes[i..<(i + tag.count)].elementsEqual(tag) {
                let next = bytes[i + tag.count]
                if next == 0x3E || next == 0x20 || next == 0x09 || next == 0x0A || next == 0x0D { return i }
            }
            i += 1
        }
        return nil
    }
}
