#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// Splits a `ByteStream` into lines, handing out each as a view into one reused buffer.
///
/// - Lines up to `maximumLineBytes` (1 GiB by default): the buffer doubles until a line fits (no
///   truncation), and shrinks back once the long line is gone, so memory stays bounded by the
///   longest *current* line plus one chunk. A longer line is refused with `.corruptInput` (the
///   file is treated as damaged from there): it is surely not one record, and holding it would
///   make memory depend on the input (docs/reliability.md, "Limits").
/// - `\n` ends a line; a `\r` before it is dropped (CRLF files). A last line without `\n` is
///   still a line; a stream that ends with `\n` has no extra empty line.
/// - A stream error (a truncated zstd frame) is thrown as soon as it happens; a partial last
///   line that was read before the damage is never handed out.
public final class LineReader {
    /// One line, valid until the next call to `next()`.
    public struct Line {
        /// The line's bytes, without `\n` and without a final `\r`.
        public let bytes: UnsafeRawBufferPointer
        /// 1-based line number.
        public let number: Int
        /// Offset of the line's first byte in the (decompressed) stream.
        public let offset: Int64
    }

    public let stream: ByteStream
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private let chunkSize: Int
    public let maximumLineBytes: Int
    public static let defaultMaximumLineBytes = 1 << 30
    /// Unhanded bytes are `[start, end)`; `[start, searched)` is known to hold no `\n`.
    private var start = 0
    private var end = 0
    private var searched = 0
    /// Stream offset of `storage[0]`.
    private var storageOffset: Int64 = 0
    private var lineNumber = 0
    private var atEnd = false

    /// Lines handed out so far.
    public var linesRead: Int { lineNumber }

    /// Decompressed bytes taken from the stream so far.
    public var bytesRead: Int64 { storageOffset + Int64(end) }

    /// - Parameter chunkSize: bytes asked of the stream per read; also the buffer's resting size.
    public init(stream: ByteStream, chunkSize: Int = 1 << 20, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes) {
        precondition(chunkSize > 0 && maximumLineBytes > 0)
        self.stream = stream
        self.chunkSize = chunkSize
        self.maximumLineBytes = maximumLineBytes
        capacity = chunkSize
        storage = .allocate(byteCount: capacity, alignment: 16)
    }

    deinit { storage.deallocate() }

    public func next() throws -> Line? {
        while true {
            if searched < end, let newline = memchr(storage + searched, 0x0A, end - searched) {
                let lineEnd = storage.distance(to: UnsafeMutableRawPointer(newline))
                try checkLength(lineEnd - start)
                return takeLine(upTo: lineEnd, consumed: lineEnd + 1)
            }
            searched = end
            try checkLength(end - start)
            if atEnd {
                guard start < end else { return nil }
                return takeLine(upTo: end, consumed: end)
            }
            try fill()
        }
    }

    private func checkLength(_ length: Int) throws {
        if length > maximumLineBytes {
            throw YiError(.corruptInput, "line \(lineNumber + 1) is longer than \(maximumLineBytes) bytes, the most yi-prep takes as one record",
                          context: .init(byteOffset: storageOffset + Int64(start)))
        }
    }

    private func takeLine(upTo lineEnd: Int, consumed: Int) -> Line {
        var length = lineEnd - start
        if length > 0 && storage.load(fromByteOffset: start + length - 1, as: UInt8.self) == 0x0D { length -= 1 }
        lineNumber += 1
        let line = Line(bytes: UnsafeRawBufferPointer(start: storage + start, count: length),
                        number: lineNumber, offset: storageOffset + Int64(start))
        start = consumed
        searched = consumed
        return line
    }

    /// Makes room (moving the partial line to the front, growing or shrinking the buffer) and
    /// reads one chunk.
    private func fill() throws {
        let pending = end - start
        if start > 0 && (capacity - end < chunkSize || pending == 0) {
            if pending > 0 { memmove(storage, storage + start, pending) }
            storageOffset += Int64(start)
            searched -= start
            end = pending
            start = 0
        }
        if start == 0 && capacity > 2 * chunkSize && pending <= chunkSize {
            resize(to: 2 * chunkSize)
        } else if capacity - end < chunkSize {
            // Never more than a chunk beyond the longest line allowed (then at least a chunk is free).
            let target = min(max(capacity * 2, end + chunkSize), maximumLineBytes + 1 + chunkSize)
            if target > capacity { resize(to: target) }
        }
        let free = UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end)
        let n = try stream.read(into: free)
        if n == 0 { atEnd = true }
        end += n
    }

    /// The buffer's current size (tests check that it shrinks back after a long line).
    var capacityForTesting: Int { capacity }

    private func resize(to newCapacity: Int) {
        precondition(start == 0 && newCapacity >= end)
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        grown.copyMemory(from: storage, byteCount: end)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }
}
