#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// A forward-only source of bytes: a file, or a decompressor over one.
///
/// `read` fills as much of `buffer` as it can and returns the number of bytes written; 0 means
/// the end of the stream. Damage (a truncated frame, a bad checksum) throws a `YiError` with code
/// `.corruptInput` naming the file and the byte offset in the *compressed* input.
public protocol ByteStream: AnyObject {
    /// The file this stream reads, for messages.
    var path: String { get }
    /// Bytes taken from the file on disk so far (compressed bytes for a decompressor), for
    /// progress against the file's size.
    var fileBytesRead: Int64 { get }
    /// Offset in the file of the stream's first byte: non-zero for a slice of a file, so that
    /// decompressors report damage at offsets in the whole file.
    var fileStartOffset: Int64 { get }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

public extension ByteStream {
    var fileStartOffset: Int64 { 0 }
}

/// Plain file bytes, read with large `read(2)` calls; the whole file, or only `range` of it.
/// The file is closed on deinit.
public final class FileByteStream: ByteStream {
    public let path: String
    private let fd: Int32
    public let fileStartOffset: Int64
    /// Offset where reading stops (`Int64.max`: the end of the file).
    private let endOffset: Int64
    /// Bytes consumed from the file (or range) so far.
    public private(set) var offset: Int64 = 0
    public var fileBytesRead: Int64 { offset }

    public init(path: String, range: ByteRange? = nil) throws {
        self.path = path
        fileStartOffset = range?.start ?? 0
        endOffset = range?.end ?? .max
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw YiError(.input, "cannot open file", context: .init(path: path), cause: errnoText())
        }
        if fileStartOffset > 0 && lseek(fd, off_t(fileStartOffset), SEEK_SET) < 0 {
            let cause = errnoText()
            close(fd)
            throw YiError(.input, "cannot seek in file", context: .init(path: path, byteOffset: fileStartOffset), cause: cause)
        }
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let wanted = Int(min(Int64(buffer.count), endOffset - fileStartOffset - offset))
        guard wanted > 0 else { return 0 }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, wanted)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw YiError(.input, "cannot read file", context: .init(path: path, byteOffset: fileStartOffset + offset), cause: errnoText())
        }
    }
}

/// Bytes held in memory, served like a file (tests, benchmarks, already-loaded data).
public final class MemoryByteStream: ByteStream {
    public let path: String
    private let bytes: [UInt8]
    private var position = 0
    /// Largest amount one `read` returns; small values exercise callers' refill logic.
    private let maximumReadSize: Int

    public var fileBytesRead: Int64 { Int64(position) }

    public init(_ bytes: [UInt8], path: String = "<memory>", maximumReadSize: Int = .max) {
        precondition(maximumReadSize > 0)
        self.bytes = bytes
        self.path = path
        self.maximumReadSize = maximumReadSize
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position, maximumReadSize)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

public extension ByteStream {
    /// Reads the whole rest of the stream (tests and small files only: memory grows with it).
    func readAll() throws -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return result }
            result.append(contentsOf: chunk[0..<n])
        }
    }

    /// Reads until `buffer` is full or the stream ends; returns the number of bytes read.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}
