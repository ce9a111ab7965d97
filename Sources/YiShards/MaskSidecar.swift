import YiChecksum
import YiCore

/// The loss-mask sidecar `shard-NNNNN.mask` (yi-prep, version 1; `docs/chat.md` has the spec).
///
/// Header (32 bytes): magic `YIMASK\0\0`, u32 version = 1, u32 bits per token = 1, u64 sequence
/// length L, u64 sequence count N; then N records of ceil(L/8) bytes, bit j of a record = bit
/// (j % 8) of byte (j / 8), least-significant first. Bit 1: token j is a training target.
public enum MaskSidecarFormat {
    public static let magic: [UInt8] = Array("YIMASK".utf8) + [0, 0]
    public static let version: UInt32 = 1
    public static let bitsPerToken: UInt32 = 1
    public static let headerSize = 32

    public static func recordSize(sequenceLength: Int) -> Int { (sequenceLength + 7) / 8 }

    public static func fileSize(sequenceLength: Int, sequences: Int) -> Int64 {
        Int64(headerSize) + Int64(sequences) * Int64(recordSize(sequenceLength: sequenceLength))
    }

    /// The 32-byte header.
    public static func header(sequenceLength: Int, sequences: Int) -> [UInt8] {
        var bytes = magic
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(version)
        append(bitsPerToken)
        append(UInt64(sequenceLength))
        append(UInt64(sequences))
        return bytes
    }

    /// Packs 0/1 per token into a record (least-significant bit first); returns the 1s.
    @discardableResult
    public static func pack(_ mask: [UInt8], into record: inout [UInt8]) -> Int {
        var ones = 0
        mask.withUnsafeBufferPointer { bits in
            record.withUnsafeMutableBufferPointer { out in
                var j = 0
                var k = 0
                // Eight tokens at a time (the bit-by-bit loop was a visible share of chat packing):
                // keep each byte's low bit, then one multiply gathers byte i's bit into bit i of the
                // top byte (no carries: each bit lands in a distinct position).
                let raw = UnsafeRawBufferPointer(bits)
                while k < out.count && j + 8 <= bits.count {
                    let lanes = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) & 0x0101_0101_0101_0101
                    let byte = UInt8(truncatingIfNeeded: (lanes &* 0x0102_0408_1020_4080) >> 56)
                    out[k] = byte
                    ones += lanes.nonzeroBitCount   // one count per eight tokens
                    j += 8
                    k += 1
                }
                while k < out.count {
                    var byte: UInt8 = 0
                    let end = min(j + 8, bits.count)
                    var bit: UInt8 = 0
                    while j < end {
                        byte |= (bits[j] & 1) << bit
                        bit += 1
                        j += 1
                    }
                    out[k] = byte
                    ones += byte.nonzeroBitCount
                    k += 1
                }
            }
        }
        return ones
    }

    /// The 1 bits of tokens `range` in a record: whole bytes by popcount, bit by bit only at the
    /// edges (bit by bit throughout was a visible share of `pack --chat`'s stats pass).
    public static func ones(_ record: UnsafeRawBufferPointer, in range: Range<Int>) -> Int {
        var j = range.lowerBound, total = 0
        let end = range.upperBound
        while j < end && j & 7 != 0 { total += bit(record, j) ? 1 : 0; j += 1 }
        // 64 tokens per count where the range allows (popcount is not one instruction on the
        // baseline x86-64 Swift targets, so fewer, wider counts matter).
        while j + 64 <= end {
            total += UInt64(littleEndian: record.loadUnaligned(fromByteOffset: j >> 3, as: UInt64.self)).nonzeroBitCount
            j += 64
        }
        while j + 8 <= end { total += record[j >> 3].nonzeroBitCount; j += 8 }
        while j < end { total += bit(record, j) ? 1 : 0; j += 1 }
        return total
    }

    /// Token j's bit of a record.
    @inline(__always)
    public static func bit(_ record: UnsafeRawBufferPointer, _ j: Int) -> Bool {
        record[j >> 3] & (1 << UInt8(j & 7)) != 0
    }
}

/// Writes a shard's mask sidecar while its sequences are written. The header holds the sequence
/// count, known only at the end: it is written as 0 first and set in place by `commit`, which
/// then hashes the file by reading it back (the mask is 1/32 of the `.bin` for 32-bit tokens,
/// so the read is cheap) before moving it into place. Until then the file has its temporary
/// name, so a killed run never leaves a mask that looks complete.
final class MaskSidecarWriter {
    private let sequenceLength: Int
    private let file: AtomicFileWriter
    private var record: [UInt8]
    private(set) var sequences = 0
    private(set) var trainedTokens = 0

    init(path: String, sequenceLength: Int) throws {
        self.sequenceLength = sequenceLength
        file = try AtomicFileWriter(path: path)
        record = [UInt8](repeating: 0, count: MaskSidecarFormat.recordSize(sequenceLength: sequenceLength))
        try file.write(MaskSidecarFormat.header(sequenceLength: sequenceLength, sequences: 0))
    }

    /// One sequence's mask: 0/1 per token, exactly the sequence length.
    func append(_ mask: [UInt8]) throws {
        precondition(mask.count == sequenceLength, "mask length differs from the sequence length")
        trainedTokens += MaskSidecarFormat.pack(mask, into: &record)
        try file.write(record)
        sequences += 1
    }

    func commit() throws -> FileDigest {
        let header = MaskSidecarFormat.header(sequenceLength: sequenceLength, sequences: sequences)
        try file.overwrite(at: 0, with: header)
        var hash = SHA256()
        hash.update(header)
        let written = try ReadOnlyFile(path: file.temporaryPath)
        var offset = Int64(MaskSidecarFormat.headerSize)
        let chunk = 1 << 20
        while offset < written.size {
            let count = Int(min(Int64(chunk), written.size - offset))
            hash.update(try written.bytes(at: offset, count: count, what: "the mask records"))
            offset += Int64(count)
        }
        try file.commit()
        return FileDigest(bytes: file.bytesWritten, sha256: hash.finalizeHex())
    }

    func abort() { file.abort() }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `.mask` sidecar opened for reading; the header is checked on open.
public final class MaskSidecarFile {
    let file: ReadOnlyFile
    public let sequenceLength: Int
    public let sequenceCount: Int
    public var path: String { file.path }
    var recordSize: Int { MaskSidecarFormat.recordSize(sequenceLength: sequenceLength) }

    public init(path: String) throws {
        file = try ReadOnlyFile(path: path)
        let header = try file.bytes(at: 0, count: min(Int(file.size), MaskSidecarFormat.headerSize), what: "the mask header")
        func fail(_ message: String, _ offset: Int64) -> YiError {
            YiError(.corruptInput, message, context: .init(path: path, byteOffset: offset))
        }
        guard header.count == MaskSidecarFormat.headerSize else { throw fail("mask sidecar shorter than its 32-byte header", 0) }
        guard Array(header[0..<8]) == MaskSidecarFormat.magic else { throw fail("bad mask magic (expected YIMASK\\0\\0)", 0) }
        func u32(_ at: Int) -> UInt32 { header.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) } }
        func u64(_ at: Int) -> UInt64 { header.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) } }
        guard u32(8) == MaskSidecarFormat.version else { throw fail("unsupported mask version \(u32(8)) (expected 1)", 8) }
        guard u32(12) == MaskSidecarFormat.bitsPerToken else { throw fail("mask has \(u32(12)) bits per token (expected 1)", 12) }
        let length = u64(16), count = u64(24)
        guard length > 0, length <= UInt64(Int32.max) else { throw fail("mask sequence length \(length) is out of range", 16) }
        guard count <= UInt64(Int.max / 2) else { throw fail("mask sequence count \(count) is out of range", 24) }
        sequenceLength = Int(length)
        sequenceCount = Int(count)
        let expected = MaskSidecarFormat.fileSize(sequenceLength: sequenceLength, sequences: sequenceCount)
        guard file.size == expected else {
            throw fail("mask sidecar is \(file.size) bytes; header says \(sequenceCount) sequences of \(sequenceLength) tokens = \(expected) bytes", min(file.size, expected))
        }
    }

    /// Sequence k's mask as 0/1 per token.
    public func mask(ofSequence k: Int) throws -> [UInt8] {
        precondition(k >= 0 && k < sequenceCount, "sequence \(k) out of range")
        let record = try file.bytes(at: Int64(MaskSidecarFormat.headerSize) + Int64(k) * Int64(recordSize), count: recordSize,
                                    what: "mask record \(k)")
        var bits = [UInt8](repeating: 0, count: sequenceLength)
        record.withUnsafeBytes { raw in
            for j in 0..<sequenceLength where MaskSidecarFormat.bit(raw, j) { bits[j] = 1 }
        }
        return bits
    }

    /// Trained tokens of sequence k inside each of `ranges` (token offsets), and in all.
    public func trainedCounts(ofSequence k: Int, ranges: [Range<Int>]) throws -> (perRange: [Int], total: Int) {
        let record = try file.bytes(at: Int64(MaskSidecarFormat.headerSize) + Int64(k) * Int64(recordSize), count: recordSize,
                                    what: "mask record \(k)")
        return record.withUnsafeBytes { raw in
            (ranges.map { range in MaskSidecarFormat.ones(raw, in: range) },
             MaskSidecarFormat.ones(raw, in: 0..<sequenceLength))
        }
    }
}
