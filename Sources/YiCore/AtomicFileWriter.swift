#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered file writer that makes the file appear only when `commit()` succeeds.
///
/// Bytes go to `<path>.tmp-<pid>` beside the destination; `commit()` flushes, fsyncs and renames
/// it into place, so a crashed or killed run never leaves a file that looks complete. Dropping
/// the writer without committing removes the temporary file.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let bufferCapacity: Int
    private var finished = false
    /// Bytes written so far (buffered ones included).
    public private(set) var bytesWritten: Int64 = 0
    /// Bytes handed to the kernel, and how far it was asked to start writing them to disk.
    private var bytesFlushed: Int64 = 0
    private var writebackStarted: Int64 = 0
    /// Ask for writeback every this many bytes, so that `commit()`'s fsync finds little left to
    /// write (a 64 MB shard's dirty pages, flushed at once, were most of the end-of-run wait).
    public static let writebackStep: Int64 = 8 << 20

    public init(path: String, bufferCapacity: Int = 1 << 20) throws {
        self.path = path
        self.temporaryPath = "\(path).tmp-\(getpid())"
        self.bufferCapacity = bufferCapacity
        buffer.reserveCapacity(bufferCapacity)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw YiError(.io, "cannot create file", context: .init(path: temporaryPath), cause: errnoText())
        }
    }

    deinit {
        if !finished {
            close(fd)
            unlink(temporaryPath)
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        bytesWritten += Int64(bytes.count)
        if buffer.count + bytes.count > bufferCapacity {
            try flushBuffer()
            if bytes.count >= bufferCapacity {
                try writeAll(bytes)
                return
            }
        }
        buffer.append(contentsOf: bytes)
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Writes values in little-endian byte order.
    public func writeLittleEndian<T: FixedWidthInteger>(_ value: T) throws {
        var le = value.littleEndian
        try withUnsafeBytes(of: &le) { try write($0) }
    }

    /// Flushes, fsyncs and renames the file into place. The writer is finished afterwards.
    public func commit() throws {
        precondition(!finished, "AtomicFileWriter committed twice")
        try flushBuffer()
        if fsync(fd) != 0 {
            throw YiError(.io, "cannot sync file", context: .init(path: temporaryPath), cause: errnoText())
        }
        close(fd)
        finished = true
        if WriteFaultInjection.plan != nil, WriteFaultInjection.event(.rename, path: path) == .killNow { WriteFaultInjection.kill() }
        if rename(temporaryPath, path) != 0 {
            let cause = errnoText()
            unlink(temporaryPath)
            throw YiError(.io, "cannot move finished file into place", context: .init(path: path), cause: cause)
        }
        if WriteFaultInjection.plan != nil, WriteFaultInjection.event(.renamed, path: path) == .killNow { WriteFaultInjection.kill() }
    }

    /// Replaces bytes already written at `offset`: for a header whose contents are known only at
    /// the end (an `.npy` array's length).
    public func overwrite(at offset: Int64, with bytes: [UInt8]) throws {
        precondition(!finished && offset >= 0 && offset + Int64(bytes.count) <= bytesWritten)
        try flushBuffer()
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw YiError(.io, "cannot write file", context: .init(path: temporaryPath), cause: errnoText())
            }
            done += n
        }
    }

    /// Removes the temporary file; nothing appears at `path`.
    public func abort() {
        guard !finished else { return }
        finished = true
        close(fd)
        unlink(temporaryPath)
    }

    private func flushBuffer() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Starts writing the pages written since the last call to disk, without waiting. On Linux
    /// `POSIX_FADV_DONTNEED` begins writeback of dirty pages (`sync_file_range` is not visible
    /// from Swift); the data stays safe either way, durability still comes from `commit()`.
    private func startWriteback() {
        #if os(Linux)
        guard bytesFlushed - writebackStarted >= Self.writebackStep else { return }
        _ = posix_fadvise(fd, off_t(writebackStarted), off_t(bytesFlushed - writebackStarted), POSIX_FADV_DONTNEED)
        writebackStarted = bytesFlushed
        #endif
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        if WriteFaultInjection.plan != nil { try injectFault(bytes) }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Self.writeError(path: temporaryPath, errno: errno)
            }
            offset += n
        }
        bytesFlushed += Int64(bytes.count)
        startWriteback()
    }

    /// The test hook (`YI_TEST_WRITE_FAULT`): die with half the bytes written, or fail as on a full disk.
    private func injectFault(_ bytes: UnsafeRawBufferPointer) throws {
        switch WriteFaultInjection.event(.write, path: temporaryPath) {
        case .proceed, .killNow: return
        case .killAfterPartialWrite:
            _ = Glibc.write(fd, bytes.baseAddress!, bytes.count / 2)
            WriteFaultInjection.kill()
        case .failNoSpace:
            throw Self.writeError(path: temporaryPath, errno: ENOSPC)
        }
    }

    /// A full disk is said in the message itself, not only in the `--verbose` cause.
    private static func writeError(path: String, errno code: Int32) -> YiError {
        let full = code == ENOSPC || code == EDQUOT
        return YiError(.io, full ? "cannot write file: no space left on the device" : "cannot write file",
                       context: .init(path: path), cause: errnoText(code))
    }

    /// Writes a whole file atomically in one call.
    public static func write(_ text: String, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(text)
        try writer.commit()
    }
}

/// The current `errno` as text, for `YiError.cause`.
public func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code)) + " (errno \(code))"
}
