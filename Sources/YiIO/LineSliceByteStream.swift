#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// The bytes of the lines that a slice of a plain (uncompressed) line file owns.
///
/// The rule, which makes any set of cut points safe: a slice `[start, end)` owns every line whose
/// first byte lies in `[start, end)`. A line starts at offset 0 or just after a `\\n`, so the
/// slice's bytes run from just after the first `\\n` at or after `start - 1` (offset 0 when
/// `start` is 0) to just after the first `\\n` at or after `end - 1` (or the end of the file).
/// Consecutive slices therefore hand out consecutive, non-overlapping runs of whole lines, and
/// their concatenation is the file, wherever the cuts fall (inside a multi-byte character, on a
/// `\\r`, in the middle of a line of many megabytes). A slice inside one long line owns nothing.
///
/// Finding the first line start reads the part of the line that the previous slice owns; a
/// slice's last line is read past `end` up to its `\\n`.
public final class LineSliceByteStream: ByteStream {
    public let path: String
    public let range: ByteRange
    /// Offset in the file of the first byte handed out (the first owned line's start).
    public let fileStartOffset: Int64
    private let file: FileByteStream
    /// Offset in the file of the next byte to hand out.
    private var position: Int64
    private var finished: Bool

    public var fileBytesRead: Int64 { min(range.count, max(0, position - range.start)) }

    public init(path: String, range: ByteRange) throws {
        self.path = path
        self.range = range
        let first = range.start == 0 ? 0 : try Self.lineStart(atOrAfter: range.start, path: path)
        fileStartOffset = first
        position = first
        // The line starting at `first` belongs to a later slice when `first >= end`.
        finished = first >= range.end
        file = try FileByteStream(path: path, range: ByteRange(start: first, end: .max))
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        let n = try file.read(into: buffer)
        if n == 0 {
            finished = true
            return 0
        }
        // The last byte handed out is the first `\n` at or after `end - 1`.
        let searchFrom = max(0, range.end - 1 - position)
        var delivered = n
        if searchFrom < Int64(n), let newline = memchr(buffer.baseAddress! + Int(searchFrom), 0x0A, n - Int(searchFrom)) {
            delivered = buffer.baseAddress!.distance(to: UnsafeMutableRawPointer(newline)) + 1
            finished = true
        }
        position += Int64(delivered)
        return delivered
    }

    /// The offset of the first line that starts at or after `offset` (> 0): just after the first
    /// `\n` at or after `offset - 1`, or the file's size when there is none.
    static func lineStart(atOrAfter offset: Int64, path: String) throws -> Int64 {
        let scan = try FileByteStream(path: path, range: ByteRange(start: offset - 1, end: .max))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var scanned = offset - 1
        while true {
            // nil: no `\n` in this chunk; -1: end of file.
            let found: Int? = try chunk.withUnsafeMutableBytes { buffer in
                let n = try scan.read(into: buffer)
                if n == 0 { return -1 }
                guard let newline = memchr(buffer.baseAddress!, 0x0A, n) else {
                    scanned += Int64(n)
                    return nil
                }
                return buffer.baseAddress!.distance(to: newline)
            }
            if let found { return found < 0 ? scanned : scanned + Int64(found) + 1 }
        }
    }
}
