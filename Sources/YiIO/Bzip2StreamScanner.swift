#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// Finds where bzip2 streams may start inside a multistream file (Wikipedia's
/// `*-multistream.xml.bz2`, pbzip2 output): a stream starts byte-aligned with `BZh1`...`BZh9`
/// followed by the first block's magic `0x314159265359`. The same ten bytes can occur inside
/// compressed data by chance, so a position found here is only a candidate: decode from it to be
/// sure (`Bzip2ByteStream` over a file range).
public enum Bzip2StreamScanner {
    /// The first candidate stream start in `[from, to)`, nil when there is none.
    public static func nextCandidate(path: String, from: Int64, to: Int64) throws -> Int64? {
        guard from < to else { return nil }
        let stream = try FileByteStream(path: path, range: ByteRange(start: from, end: to + 9))
        // No larger than the range: slicing asks about many short ranges.
        let chunkSize = Int(min(1 << 20, to + 9 - from))
        // Nine bytes of the previous chunk are kept in front, so a match across chunks is found.
        var window = [UInt8](repeating: 0, count: chunkSize + 9)
        var kept = 0
        var windowStart = from
        while true {
            let n = try window.withUnsafeMutableBytes {
                try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[kept...]))
            }
            if n == 0 { return nil }
            let count = kept + n
            if let match = window.withUnsafeBytes({ firstMatch(in: UnsafeRawBufferPointer(rebasing: $0[..<count])) }) {
                let offset = windowStart + Int64(match)
                return offset < to ? offset : nil
            }
            kept = min(9, count)
            window.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: $0.baseAddress! + count - kept, byteCount: kept) }
            windowStart += Int64(count - kept)
        }
    }

    private static let blockMagic: [UInt8] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]

    /// The offset of the first `BZh[1-9]` + block magic in `bytes`.
    static func firstMatch(in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= 10 else { return nil }
        var i = 0
        let last = bytes.count - 10
        while i <= last {
            guard let found = memchr(bytes.baseAddress! + i, 0x42, last - i + 1) else { return nil }
            i = bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
            if bytes[i + 1] == 0x5A, bytes[i + 2] == 0x68, (0x31...0x39).contains(bytes[i + 3]),
               blockMagic.indices.allSatisfy({ bytes[i + 4 + $0] == blockMagic[$0] }) {
                return i
            }
            i += 1
        }
        return nil
    }
}
