import CYiZlib
import YiCore

/// Decompresses gzip (zlib's inflate), including files of several concatenated members
/// (`cat a.gz b.gz`, `pigz`, BGZF). A member cut short at the end of the file, or damaged data,
/// throws `.corruptInput` with the compressed byte offset.
public final class GzipByteStream: ByteStream {
    private let input: CompressedInput
    /// zlib keeps a pointer back to its `z_stream` and checks it, so the struct lives at a fixed
    /// heap address owned here.
    private let stream: UnsafeMutablePointer<z_stream>
    /// True between a member's first byte and its trailer: ending the input there is truncation.
    private var insideMember = false
    public private(set) var membersDecoded = 0

    public var path: String { input.path }
    public var fileBytesRead: Int64 { input.upstream.fileBytesRead }
    public var compressedOffset: Int64 { input.offset }

    public init(upstream: ByteStream) throws {
        input = CompressedInput(upstream: upstream, capacity: 1 << 17)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: the largest window, gzip wrapper only. (If this throws, deinit's inflateEnd
        // on the zeroed stream is a harmless no-op.)
        try check(cyi_inflate_init2(stream, 15 + 16), consumedInCall: 0)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try input.decode { produced in try decode(into: buffer, produced: &produced) }
    }

    private func decode(into buffer: UnsafeMutableRawBufferPointer, produced: inout Int) throws {
        while produced < buffer.count {
            let hasInput = try input.refillIfEmpty()
            if !hasInput && (!insideMember || produced > 0) { break }
            if hasInput && !insideMember && membersDecoded > 0 {
                try check(inflateReset(stream), consumedInCall: 0)
            }
            insideMember = true
            let pending = input.pending
            stream.pointee.next_in = pending.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(min(pending.count, Int(UInt32.max)))
            stream.pointee.next_out = (buffer.baseAddress! + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(min(buffer.count - produced, Int(UInt32.max)))
            let availableOut = stream.pointee.avail_out
            let code = inflate(stream, Z_NO_FLUSH)
            let consumed = pending.count - Int(stream.pointee.avail_in)
            try check(code, consumedInCall: consumed)
            input.consume(consumed)
            let madeOutput = availableOut != stream.pointee.avail_out
            produced += Int(availableOut - stream.pointee.avail_out)
            if code == Z_STREAM_END {
                insideMember = false
                membersDecoded += 1
            } else if !hasInput && !madeOutput {
                throw input.corruption("gzip stream is truncated: the file ends inside a member")
            }
        }
    }

    /// The one place where zlib's return codes become errors.
    private func check(_ code: Int32, consumedInCall: Int) throws {
        switch code {
        case Z_OK, Z_STREAM_END, Z_BUF_ERROR:
            // Z_BUF_ERROR only says no progress was possible in this call; the caller decides.
            return
        case Z_DATA_ERROR, Z_NEED_DICT:
            input.consume(consumedInCall)
            let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
            let what = membersDecoded > 0 ? "gzip data after member \(membersDecoded) is corrupt" : "gzip data is corrupt"
            throw input.corruption("\(what) (\(detail))", cause: "inflate: \(code) \(detail)")
        case Z_MEM_ERROR:
            throw YiError(.io, "out of memory in the gzip decoder", context: .init(path: path, byteOffset: input.offset))
        case Z_VERSION_ERROR:
            throw YiError(.io, "the zlib library does not match the headers yi-prep was built with",
                          context: .init(path: path), cause: "inflateInit2: Z_VERSION_ERROR")
        default:
            // Z_STREAM_ERROR: misuse of the library.
            preconditionFailure("zlib returned \(code): GzipByteStream misuses the library")
        }
    }
}
