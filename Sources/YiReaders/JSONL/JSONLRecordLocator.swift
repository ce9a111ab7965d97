import YiCore
import YiIO

/// Names where a JSON line sits: the default document id (when a record has no id field) and the
/// location of a rejected record.
///
/// - A whole file: `path:line` (1-based line number).
/// - A slice of a plain file: `path@offset`, the file offset of the line's first byte; line
///   numbers are unknown without reading from the start of the file.
/// - A slice of a `.zst` file: `path@frame+offset`, the file offset of the zstd frame in whose
///   content the line starts, and the line's offset in that frame's content.
///
/// Slice ids do not depend on where the file was cut: every slice of a sliced file names its
/// lines the same way, and a line gets the same id whichever slice reads it.
///
/// Locations carry the line's byte offset in the decompressed stream, as for a whole file; for a
/// `.zst` slice only when every frame before it states its content size (Frame_Content_Size,
/// set by most writers), which gives the slice's decompressed start without decompressing.
final class JSONLRecordLocator {
    private enum Scheme {
        case lineNumber
        case fileOffset
        case zstdFrame(ZstdFramePositions, contentStart: Int64?)
    }

    private let path: String
    private let scheme: Scheme

    /// For `input` read through `stream` (the stream `openDocumentSource` built for it).
    init(input: DiscoveredInput, stream: ByteStream) {
        path = input.path
        if input.range == nil {
            scheme = .lineNumber
        } else if let zstd = stream as? ZstdByteStream {
            // Nothing is decoded yet: the decoder stands at the slice's first frame.
            let frames = ZstdFramePositions(firstFrame: zstd.compressedOffset)
            zstd.frameEnded = { [frames] content, file in frames.frameEnded(contentOffset: content, fileOffset: file) }
            scheme = .zstdFrame(frames, contentStart: Self.decompressedStart(path: input.path, of: input.range!.start))
        } else {
            scheme = .fileOffset
        }
    }

    /// Line offsets are those of `LineReader` over the stream (decompressed, from its start).
    func id(of line: LineReader.Line, in stream: ByteStream) -> String {
        switch scheme {
        case .lineNumber: return "\(path):\(line.number)"
        case .fileOffset: return "\(path)@\(stream.fileStartOffset + line.offset)"
        case .zstdFrame(let frames, _):
            let (frame, offset) = frames.position(ofContentOffset: line.offset)
            return "\(path)@\(frame)+\(offset)"
        }
    }

    func location(of line: LineReader.Line, in stream: ByteStream) -> SourceLocation {
        switch scheme {
        case .lineNumber: return SourceLocation(path: path, line: line.number, byteOffset: line.offset)
        case .fileOffset: return SourceLocation(path: path, byteOffset: stream.fileStartOffset + line.offset)
        case .zstdFrame(_, let start?): return SourceLocation(path: path, byteOffset: start + line.offset)
        case .zstdFrame(_, nil): return SourceLocation(path: path)
        }
    }

    /// The decompressed offset of the frame at file offset `sliceStart`: the content sizes of the
    /// frames before it, nil when one of them does not state its size.
    static func decompressedStart(path: String, of sliceStart: Int64) -> Int64? {
        guard let walker = try? ZstdFrameWalker(path: path) else { return nil }
        var total: Int64 = 0
        do {
            while let frame = try walker.next() {
                if frame.start == sliceStart { return total }
                guard frame.start < sliceStart, let size = frame.contentSize else { return nil }
                total += size
            }
        } catch {
            return nil
        }
        return nil
    }

    /// Where the line is, for messages, when `location` cannot say it (zstd slices).
    func position(of line: LineReader.Line) -> String? {
        guard case .zstdFrame(let frames, _) = scheme else { return nil }
        let (frame, offset) = frames.position(ofContentOffset: line.offset)
        return "zstd frame at byte \(frame), byte \(offset) of its content"
    }
}

/// Frame starts met while decompressing a zstd slice, as (content offset, file offset) pairs, so a
/// content offset can be named by its frame. Entries behind the reader are dropped.
final class ZstdFramePositions {
    private var frames: [(content: Int64, file: Int64)]
    private var first = 0

    init(firstFrame: Int64) { frames = [(0, firstFrame)] }

    func frameEnded(contentOffset: Int64, fileOffset: Int64) {
        frames.append((contentOffset, fileOffset))
    }

    /// The frame holding `contentOffset` and the offset in its content; offsets are asked in
    /// increasing order.
    func position(ofContentOffset contentOffset: Int64) -> (frame: Int64, offset: Int64) {
        // A frame that ends where the next begins, or an empty or skippable frame, shares its
        // content offset with the next: the last one starting at or before the offset holds it.
        while first + 1 < frames.count && frames[first + 1].content <= contentOffset { first += 1 }
        if first >= 1024 {
            frames.removeFirst(first)
            first = 0
        }
        return (frames[first].file, contentOffset - frames[first].content)
    }
}
