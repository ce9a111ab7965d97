import CYiZstd
import YiCore

/// Decompresses a zstd stream: any number of concatenated frames, skippable frames skipped
/// (libzstd's streaming decoder does both). A frame cut short at the end of the file, or damaged
/// data, throws `.corruptInput` with the compressed byte offset.
public final class ZstdByteStream: ByteStream {
    private let input: CompressedInput
    private let context: OpaquePointer
    /// True between a frame's first byte and its last: ending the input there is truncation.
    private var insideFrame = false

    public var path: String { input.path }
    public var fileBytesRead: Int64 { input.upstream.fileBytesRead }
    /// Compressed bytes consumed by the decoder.
    public var compressedOffset: Int64 { input.offset }
    /// Decompressed bytes produced so far.
    public private(set) var decompressedOffset: Int64 = 0
    /// Called when a frame ends, with the decompressed and the compressed (file) offset just
    /// past it, before its last bytes are returned: where the next frame's content begins.
    public var frameEnded: ((_ decompressedOffset: Int64, _ fileOffset: Int64) -> Void)?

    public init(upstream: ByteStream) throws {
        input = CompressedInput(upstream: upstream, capacity: ZSTD_DStreamInSize())
        guard let context = ZSTD_createDCtx() else {
            throw YiError(.io, "cannot allocate a zstd decoder", context: .init(path: upstream.path))
        }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try input.decode { produced in
            var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            defer { produced = output.pos }
            try decode(into: &output)
        }
    }

    private func decode(into output: inout ZSTD_outBuffer) throws {
        while output.pos < output.size {
            let hasInput = try input.refillIfEmpty()
            if !hasInput && !insideFrame { break }
            let pending = input.pending
            var source = ZSTD_inBuffer(src: pending.baseAddress, size: pending.count, pos: 0)
            let producedBefore = output.pos
            let hint = ZSTD_decompressStream(context, &output, &source)
            try check(hint, consumedInCall: source.pos)
            input.consume(source.pos)
            insideFrame = hint != 0
            decompressedOffset += Int64(output.pos - producedBefore)
            if hint == 0 { frameEnded?(decompressedOffset, input.offset) }
            if !hasInput && insideFrame && output.pos == producedBefore {
                // Nothing more will arrive and the decoder could not finish the frame.
                throw input.corruption("zstd stream is truncated: the file ends inside a frame")
            }
        }
    }

    /// The one place where libzstd's return codes become errors.
    private func check(_ code: Int, consumedInCall: Int) throws {
        guard ZSTD_isError(code) != 0 else { return }
        let name = String(cString: ZSTD_getErrorName(code))
        input.consume(consumedInCall)
        // libzstd reports damage per block, so the offset is where the damaged block's decoding
        // started (the damage is at or after it).
        throw input.corruption("zstd data is corrupt at or after this offset (\(name))", cause: "ZSTD_decompressStream: \(name)")
    }
}
