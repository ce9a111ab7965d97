import YiCore

/// How a file's bytes are compressed, told by its magic bytes.
public enum Compression: String, Sendable, CaseIterable, CustomStringConvertible {
    case none
    case zstd
    case bzip2
    case gzip

    public var description: String { rawValue }

    /// Bytes needed by `detect(prefix:)`.
    public static let magicLength = 6

    /// The compression the first bytes of a file announce, or nil for formats we recognise but do
    /// not read (see `unsupportedName(prefix:)`). Anything else is `.none` (plain bytes).
    public static func detect(prefix: some Collection<UInt8>) -> Compression? {
        let p = Array(prefix.prefix(magicLength))
        if p.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { return .zstd }
        // A file may start with a zstd skippable frame: magic 0x184D2A50...5F, little-endian.
        if p.count >= 4, p[0] & 0xF0 == 0x50, p[1] == 0x2A, p[2] == 0x4D, p[3] == 0x18 { return .zstd }
        if p.count >= 4, p[0] == 0x42, p[1] == 0x5A, p[2] == 0x68, (0x31...0x39).contains(p[3]) { return .bzip2 }
        if p.starts(with: [0x1F, 0x8B]) { return .gzip }
        if unsupportedName(prefix: p) != nil { return nil }
        return Compression.none
    }

    /// The name of a compression or archive format we recognise but cannot read, for a clear
    /// "unsupported" message instead of parsing compressed bytes as text.
    public static func unsupportedName(prefix: some Collection<UInt8>) -> String? {
        let p = Array(prefix.prefix(magicLength))
        if p.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "xz" }
        if p.starts(with: [0x04, 0x22, 0x4D, 0x18]) { return "lz4" }
        if p.starts(with: [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "7z" }
        if p.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "zip" }
        return nil
    }

    /// The compression a file name's last extension announces (`.zst`, `.bz2`, `.gz`), if any.
    public static func fromExtension(_ fileName: String) -> Compression? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".zst") || lower.hasSuffix(".zstd") { return .zstd }
        if lower.hasSuffix(".bz2") { return .bzip2 }
        if lower.hasSuffix(".gz") || lower.hasSuffix(".gzip") { return .gzip }
        return nil
    }
}

/// Opens `path` and wraps it in the decompressor for `compression`.
public func openByteStream(path: String, compression: Compression) throws -> ByteStream {
    try decompressing(FileByteStream(path: path), compression)
}

/// Wraps `upstream` in the decompressor for `compression` (`.none` returns it unchanged).
public func decompressing(_ upstream: ByteStream, _ compression: Compression) throws -> ByteStream {
    switch compression {
    case .none: return upstream
    case .zstd: return try ZstdByteStream(upstream: upstream)
    case .bzip2: return try Bzip2ByteStream(upstream: upstream)
    case .gzip: return try GzipByteStream(upstream: upstream)
    }
}

/// Reads the first `count` bytes of a file (fewer if it is shorter).
public func readPrefix(path: String, count: Int) throws -> [UInt8] {
    let stream = try FileByteStream(path: path)
    var bytes = [UInt8](repeating: 0, count: count)
    let n = try bytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
    return Array(bytes[0..<n])
}
