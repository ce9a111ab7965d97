import CYiBzip2
import YiCore

/// Decompresses bzip2, including multistream files (Wikipedia's `*-multistream.xml.bz2`, `pbzip2`
/// output): after a stream's end marker, decoding goes on with the next stream while input remains.
/// A stream cut short at the end of the file, or damaged data, throws `.corruptInput` with the
/// compressed byte offset.
public final class Bzip2ByteStream: ByteStream {
    private let input: CompressedInput
    /// libbz2 keeps a pointer back to its `bz_stream` and checks it, so the struct lives at a
    /// fixed heap address owned here.
    private let stream: UnsafeMutablePointer<bz_stream>
    private var decoderActive = false
    /// True between a stream's first byte and its end marker: ending the input there is truncation.
    private var insideStream = false
    /// Streams finished so far (multistream files have many).
    public private(set) var streamsDecoded = 0

    public var path: String { input.path }
    public var fileBytesRead: Int64 { input.upstream.fileBytesRead }
    public var compressedOffset: Int64 { input.offset }

    public init(upstream: ByteStream) throws {
        input = CompressedInput(upstream: upstream, capacity: 1 << 17)
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
    }

    deinit {
        if decoderActive { BZ2_bzDecompressEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try input.decode { produced in try decode(into: buffer, produced: &produced) }
    }

    private func decode(into buffer: UnsafeMutableRawBufferPointer, produced: inout Int) throws {
        while produced < buffer.count {
            let hasInput = try input.refillIfEmpty()
            if !hasInput {
                if insideStream && produced == 0 {
                    try flushAtEnd(into: buffer, produced: &produced)
                }
                break
            }
            if !decoderActive { try startStream() }
            let pending = input.pending
            stream.pointee.next_in = pending.baseAddress!.assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_in = UInt32(min(pending.count, Int(UInt32.max)))
            let out = buffer.baseAddress! + produced
            stream.pointee.next_out = out.assumingMemoryBound(to: CChar.self)
            stream.pointee.avail_out = UInt32(min(buffer.count - produced, Int(UInt32.max)))
            let availableOut = stream.pointee.avail_out
            let code = BZ2_bzDecompress(stream)
            let consumed = pending.count - Int(stream.pointee.avail_in)
            try check(code, consumedInCall: consumed)
            input.consume(consumed)
            produced += Int(availableOut - stream.pointee.avail_out)
            if code == BZ_STREAM_END { try finishStream() }
        }
    }

    /// Input is exhausted inside a stream: let the decoder emit what it still holds, and report
    /// truncation once it has nothing more.
    private func flushAtEnd(into buffer: UnsafeMutableRawBufferPointer, produced: inout Int) throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        let availableOut = stream.pointee.avail_out
        let code = BZ2_bzDecompress(stream)
        try check(code, consumedInCall: 0)
        produced = Int(availableOut - stream.pointee.avail_out)
        if code == BZ_STREAM_END {
            try finishStream()
        } else if produced == 0 {
            throw input.corruption("bzip2 stream is truncated: the file ends before the end-of-stream marker")
        }
    }

    private func startStream() throws {
        stream.pointee = bz_stream()
        try check(BZ2_bzDecompressInit(stream, 0, 0), consumedInCall: 0)
        decoderActive = true
        insideStream = true
    }

    private func finishStream() throws {
        try check(BZ2_bzDecompressEnd(stream), consumedInCall: 0)
        decoderActive = false
        insideStream = false
        streamsDecoded += 1
    }

    /// The one place where libbz2's return codes become errors.
    private func check(_ code: Int32, consumedInCall: Int) throws {
        switch code {
        case BZ_OK, BZ_STREAM_END:
            return
        case BZ_DATA_ERROR_MAGIC:
            input.consume(consumedInCall)
            let what = streamsDecoded == 0 ? "not bzip2 data (bad magic bytes)"
                                           : "unexpected bytes after bzip2 stream \(streamsDecoded)"
            throw input.corruption(what, cause: "BZ2_bzDecompress: BZ_DATA_ERROR_MAGIC")
        case BZ_DATA_ERROR:
            input.consume(consumedInCall)
            throw input.corruption("bzip2 data is corrupt (bad block or CRC)", cause: "BZ2_bzDecompress: BZ_DATA_ERROR")
        case BZ_MEM_ERROR:
            throw YiError(.io, "out of memory in the bzip2 decoder", context: .init(path: path, byteOffset: input.offset))
        default:
            // BZ_PARAM_ERROR, BZ_SEQUENCE_ERROR, BZ_CONFIG_ERROR: misuse of the library.
            preconditionFailure("libbz2 returned \(code): Bzip2ByteStream misuses the library")
        }
    }
}
