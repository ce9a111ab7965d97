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
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Plain file bytes, read with large `read(2)` calls. The file is closed on deinit.
public final class FileByteStream: ByteStream {
    public let path: String
    private let fd: Int32
    /// Bytes consumed from the file so far.
    public private(set) var offset: Int64 = 0

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw YiError(.io, "cannot open file", context: .init(path: path), cause: errnoText())
        }
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                offset += Int64(n)
                return n
            }
            if errno == EINTR { continue }
            throw YiError(.io, "cannot read file", context: .init(path: path, byteOffset: offset), cause: errnoText())
        }
    }
}
