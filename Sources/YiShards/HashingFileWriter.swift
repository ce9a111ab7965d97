import YiChecksum
import YiCore

/// Size and SHA-256 of one written file, as recorded in the manifest.
public struct FileDigest: Sendable, Equatable, Hashable {
    public var bytes: Int64
    /// Lowercase hex.
    public var sha256: String

    public init(bytes: Int64, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// An `AtomicFileWriter` that hashes what it writes, so checksums cost no second read.
final class HashingFileWriter {
    private let file: AtomicFileWriter
    private var hash = SHA256()

    var path: String { file.path }
    var bytesWritten: Int64 { file.bytesWritten }

    init(path: String) throws {
        file = try AtomicFileWriter(path: path)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        hash.update(bytes)
        try file.write(bytes)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func writeLittleEndian<T: FixedWidthInteger>(_ value: T) throws {
        var le = value.littleEndian
        try withUnsafeBytes(of: &le) { try write($0) }
    }

    /// Moves the file into place and returns its digest.
    func commit() throws -> FileDigest {
        try file.commit()
        return FileDigest(bytes: file.bytesWritten, sha256: hash.finalizeHex())
    }

    func abort() { file.abort() }
}
