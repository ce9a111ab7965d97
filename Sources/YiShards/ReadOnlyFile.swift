#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import YiChecksum
import YiCore

/// A file opened for positioned reads (`pread`), closed when released. Readers of shards,
/// sidecars and indexes share it so that every read error names the file and offset.
final class ReadOnlyFile {
    let path: String
    let size: Int64
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            throw YiError(.input, "cannot open file", context: .init(path: path), cause: errnoText())
        }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let cause = errnoText()
            close(fd)
            throw YiError(.input, "cannot stat file", context: .init(path: path), cause: cause)
        }
        size = Int64(info.st_size)
    }

    deinit { close(fd) }

    /// Reads up to `count` bytes at `offset` into `buffer`; returns how many were read (short
    /// only at the end of the file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw YiError(.input, "cannot read file", context: .init(path: path, byteOffset: offset + Int64(done)),
                              cause: errnoText())
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Exactly `count` bytes at `offset`, or an error naming what was expected.
    func bytes(at offset: Int64, count: Int, what: String) throws -> [UInt8] {
        // A damaged index can ask for gigabytes: the file's size decides before any allocation.
        let available = max(0, size - max(0, offset))
        if offset < 0 || count < 0 || Int64(count) > available {
            throw YiError(.corruptInput, "file ends inside \(what) (needs \(count) bytes, \(available) left)",
                          context: .init(path: path, byteOffset: offset))
        }
        var result = [UInt8](repeating: 0, count: count)
        let n = try result.withUnsafeMutableBytes { try read(into: $0, at: offset) }
        if n != count {
            throw YiError(.corruptInput, "file ends inside \(what) (needs \(count) bytes, \(n) left)",
                          context: .init(path: path, byteOffset: offset))
        }
        return result
    }

    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int64, what: String) throws -> T {
        let raw = try bytes(at: offset, count: MemoryLayout<T>.size, what: what)
        return raw.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
    }

    /// SHA-256 of the whole file, read in large chunks.
    func sha256() throws -> String {
        var hash = SHA256()
        try forEachChunk { hash.update($0) }
        return hash.finalizeHex()
    }

    /// Calls `body` with consecutive chunks covering the file from `offset` to the end.
    func forEachChunk(from offset: Int64 = 0, chunkSize: Int = 1 << 22,
                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var position = offset
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        defer { buffer.deallocate() }
        while position < size {
            let want = Int(min(Int64(chunkSize), size - position))
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: position)
            if n == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            position += Int64(n)
        }
    }
}

/// Sequential little-endian reads from a region of a file through a buffer, for arrays too big
/// to load at once (a foreign Megatron index may hold hundreds of millions of entries).
struct FileCursor {
    let file: ReadOnlyFile
    private(set) var position: Int64
    private var buffer: [UInt8]
    private var bufferStart: Int64 = 0
    private var bufferCount = 0

    init(file: ReadOnlyFile, offset: Int64, bufferSize: Int = 1 << 16) {
        self.file = file
        position = offset
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    mutating func next<T: FixedWidthInteger>(_: T.Type, what: String) throws -> T {
        try withNext(MemoryLayout<T>.size, what: what) { T(littleEndian: $0.loadUnaligned(as: T.self)) }
    }

    /// Gives `body` the next `count` bytes (at most the buffer size) and moves past them.
    mutating func withNext<R>(_ count: Int, what: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        precondition(count <= buffer.count, "FileCursor read larger than its buffer")
        if position < bufferStart || position + Int64(count) > bufferStart + Int64(bufferCount) {
            bufferStart = position
            bufferCount = try buffer.withUnsafeMutableBytes { try file.read(into: $0, at: position) }
            if bufferCount < count {
                throw YiError(.corruptInput, "file ends inside \(what)", context: .init(path: file.path, byteOffset: position))
            }
        }
        let start = Int(position - bufferStart)
        position += Int64(count)
        return try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<start + count])) }
    }
}
