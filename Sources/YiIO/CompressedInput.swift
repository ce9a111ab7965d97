import YiCore

/// The compressed side of a decompressor: a window of bytes read from the upstream stream, how
/// far the decoder has consumed it, and the absolute offset of that point for error messages.
///
/// Shared by the zstd, bzip2 and gzip streams so that each only deals with its C library.
final class CompressedInput {
    let upstream: ByteStream
    private let storage: UnsafeMutableRawBufferPointer
    /// Valid bytes in `storage` are `[position, count)`.
    private(set) var position = 0
    private(set) var count = 0
    /// Absolute offset (in the compressed file) of `storage[0]`.
    private var windowStart: Int64 = 0
    private(set) var upstreamEnded = false

    init(upstream: ByteStream, capacity: Int) {
        self.upstream = upstream
        windowStart = upstream.fileStartOffset
        storage = .allocate(byteCount: max(capacity, 4096), alignment: 16)
    }

    deinit { storage.deallocate() }

    var path: String { upstream.path }

    /// Unconsumed bytes, for the decoder's input pointer.
    var pending: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[position..<count])
    }

    var isEmpty: Bool { position == count }

    /// Absolute compressed offset of the next unconsumed byte.
    var offset: Int64 { windowStart + Int64(position) }

    /// Marks `n` more bytes as consumed by the decoder.
    func consume(_ n: Int) {
        precondition(n >= 0 && position + n <= count)
        position += n
    }

    /// Refills the window when it is empty. Returns false at the end of the upstream stream.
    @discardableResult
    func refillIfEmpty() throws -> Bool {
        guard isEmpty else { return true }
        guard !upstreamEnded else { return false }
        windowStart += Int64(count)
        position = 0
        count = 0
        let n = try upstream.read(into: storage)
        if n == 0 { upstreamEnded = true; return false }
        count = n
        return true
    }

    /// True when every compressed byte has been consumed (reads ahead to find out).
    func isExhausted() throws -> Bool {
        try !refillIfEmpty()
    }

    /// An error met after some output of the same `read` call was produced: that output is
    /// returned first and the error is thrown by the next call, so no good byte is lost.
    private var deferredError: Error?

    /// Runs one `read` of a decompressor: `body` adds to `produced` as it writes output.
    func decode(_ body: (inout Int) throws -> Void) throws -> Int {
        if let deferredError { throw deferredError }
        var produced = 0
        do {
            try body(&produced)
        } catch {
            guard produced > 0 else { throw error }
            deferredError = error
        }
        return produced
    }

    /// A `.corruptInput` error at the current compressed offset.
    func corruption(_ message: String, cause: String? = nil) -> YiError {
        YiError(.corruptInput, message, context: .init(path: path, byteOffset: offset), cause: cause)
    }
}
