import CYiBzip2
import CYiZlib
import CYiZstd
import Foundation

/// One-shot compressors used to build test inputs (the product only decompresses); shared by the
/// YiIO and YiReaders tests.
public enum TestCompressors {
    public static func zstd(_ bytes: [UInt8], level: Int32 = 3) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, level)
            }
        }
        precondition(ZSTD_isError(n) == 0, "ZSTD_compress failed")
        return Array(out[0..<n])
    }

    /// One zstd frame whose header leaves out Frame_Content_Size, as streaming writers may.
    public static func zstdWithoutContentSize(_ bytes: [UInt8]) -> [UInt8] {
        let context = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(context) }
        precondition(ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0)) == 0)
        var out = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let n = out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in ZSTD_compress2(context, dst.baseAddress, dst.count, src.baseAddress, src.count) }
        }
        precondition(ZSTD_isError(n) == 0, "ZSTD_compress2 failed")
        return Array(out[0..<n])
    }

    /// A zstd skippable frame (magic 0x184D2A5x, 4-byte little-endian size, payload).
    public static func zstdSkippableFrame(payload: [UInt8], variant: UInt8 = 0) -> [UInt8] {
        let size = UInt32(payload.count)
        return [0x50 | (variant & 0x0F), 0x2A, 0x4D, 0x18,
                UInt8(size & 0xFF), UInt8((size >> 8) & 0xFF), UInt8((size >> 16) & 0xFF), UInt8(size >> 24)] + payload
    }

    public static func bzip2(_ bytes: [UInt8]) -> [UInt8] {
        var capacity = UInt32(bytes.count + bytes.count / 100 + 600)
        var out = [UInt8](repeating: 0, count: Int(capacity))
        var input = bytes
        let code = out.withUnsafeMutableBytes { dst in
            input.withUnsafeMutableBytes { src in
                BZ2_bzBuffToBuffCompress(dst.baseAddress!.assumingMemoryBound(to: CChar.self), &capacity,
                                         src.baseAddress?.assumingMemoryBound(to: CChar.self) ?? dst.baseAddress!.assumingMemoryBound(to: CChar.self),
                                         UInt32(src.count), 9, 0, 0)
            }
        }
        precondition(code == BZ_OK, "BZ2_bzBuffToBuffCompress failed: \(code)")
        return Array(out[0..<Int(capacity)])
    }

    public static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: gzip wrapper.
        var code = deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                 zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(code == Z_OK)
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        var input = bytes
        input.withUnsafeMutableBytes { src in
            out.withUnsafeMutableBytes { dst in
                stream.next_in = src.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = UInt32(src.count)
                stream.next_out = dst.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = UInt32(dst.count)
                code = deflate(&stream, Z_FINISH)
            }
        }
        precondition(code == Z_STREAM_END, "deflate failed: \(code)")
        let n = Int(stream.total_out)
        deflateEnd(&stream)
        return Array(out[0..<n])
    }
}
