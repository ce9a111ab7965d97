#if canImport(Glibc)
import Glibc
#endif
import YiCore

/// One frame of a zstd file, in file offsets.
public struct ZstdFrame: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    /// A skippable frame (magic 0x184D2A5?): user data, no content.
    public var isSkippable: Bool
    /// Decompressed bytes, from the header's Frame_Content_Size (0 for a skippable frame); nil
    /// when the writer left it out (streaming writers may).
    public var contentSize: Int64? = nil
}

/// Lists the frames of a zstd file by reading only frame and block headers (RFC 8878 §3.1), never
/// decompressing: a data frame is its header, blocks whose 3-byte headers give their sizes, and an
/// optional 4-byte checksum; a skippable frame states its size. Cost: one small read per block
/// (blocks hold at most 128 KiB), so a file's frames are found in a fraction of the time it
/// takes to read it. Where slices of a `.zst` file may begin: at frame starts.
public final class ZstdFrameWalker {
    public let path: String
    private let fd: Int32
    public let fileSize: Int64
    private var offset: Int64 = 0

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw YiError(.input, "cannot open file", context: .init(path: path), cause: errnoText()) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let cause = errnoText()
            close(fd)
            throw YiError(.input, "cannot read file status", context: .init(path: path), cause: cause)
        }
        fileSize = Int64(status.st_size)
    }

    deinit { close(fd) }

    /// The next frame, nil at the end of the file. A header that breaks the format, or a frame
    /// that runs past the end of the file, throws `.corruptInput` at its offset.
    public func next() throws -> ZstdFrame? {
        guard offset < fileSize else { return nil }
        let start = offset
        let magic = try readLittleEndian(at: start, count: 4)
        let end: Int64
        var contentSize: Int64? = 0
        let skippable = magic & 0xFFFF_FFF0 == 0x184D_2A50
        if skippable {
            end = start + 8 + Int64(try readLittleEndian(at: start + 4, count: 4))
        } else if magic == 0xFD2F_B528 {
            (end, contentSize) = try dataFrameEnd(start: start)
        } else {
            throw corruption("no zstd frame magic here", at: start)
        }
        guard end <= fileSize else { throw corruption("zstd frame runs past the end of the file", at: start) }
        offset = end
        return ZstdFrame(start: start, end: end, isSkippable: skippable, contentSize: contentSize)
    }

    /// The frame's end and its Frame_Content_Size when the header has one (RFC 8878 §3.1.1.1.4).
    private func dataFrameEnd(start: Int64) throws -> (Int64, Int64?) {
        let descriptor = try readLittleEndian(at: start + 4, count: 1)
        let contentSizeFlag = Int(descriptor >> 6)
        let singleSegment = descriptor & 0x20 != 0
        guard descriptor & 0x08 == 0 else { throw corruption("zstd frame header has its reserved bit set", at: start) }
        let hasChecksum = descriptor & 0x04 != 0
        let dictionaryIDBytes: Int64 = [0, 1, 2, 4][Int(descriptor & 0x03)]
        let contentSizeBytes: Int64 = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
        let contentSizeAt = start + 5 + (singleSegment ? 0 : 1) + dictionaryIDBytes
        var contentSize: Int64?
        if contentSizeBytes > 0 {
            let field = try readLittleEndian(at: contentSizeAt, count: Int(contentSizeBytes))
            contentSize = contentSizeBytes == 2 ? Int64(field) + 256 : Int64(bitPattern: field)
        }
        var position = contentSizeAt + contentSizeBytes
        while true {
            let header = try readLittleEndian(at: position, count: 3)
            let isLast = header & 1 != 0
            let size = Int64(header >> 3)
            position += 3
            switch (header >> 1) & 3 {
            case 0, 2: position += size   // raw, compressed: `size` bytes follow
            case 1: position += 1         // RLE: one byte repeated `size` times
            default: throw corruption("zstd block of the reserved type", at: position - 3)
            }
            if position > fileSize { throw corruption("zstd frame runs past the end of the file", at: start) }
            if isLast { return (position + (hasChecksum ? 4 : 0), contentSize) }
        }
    }

    private func readLittleEndian(at offset: Int64, count: Int) throws -> UInt64 {
        var bytes: (UInt64) = 0
        let n = withUnsafeMutableBytes(of: &bytes) { pread(fd, $0.baseAddress, count, off_t(offset)) }
        if n < 0 { throw YiError(.input, "cannot read file", context: .init(path: path, byteOffset: offset), cause: errnoText()) }
        guard n == count else { throw corruption("the file ends inside a zstd frame header", at: offset) }
        return UInt64(littleEndian: bytes)
    }

    private func corruption(_ message: String, at offset: Int64) -> YiError {
        YiError(.corruptInput, message, context: .init(path: path, byteOffset: offset))
    }
}
