import Crypto

/// SHA-256 for the manifest's shard and tokenizer checksums and for `verify`, streaming.
/// A thin wrapper over swift-crypto (BoringSSL, which uses the CPU's SHA extensions where present),
/// so the rest of the code keeps one small API and only this module links the crypto library.
public struct SHA256: Sendable {
    private var hash = Crypto.SHA256()

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hash.update(bufferPointer: bytes)
    }

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) {
            return done
        }
        Array(bytes).withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest. The hasher is spent afterwards, as before: start a new one for new data.
    public mutating func finalize() -> [UInt8] {
        Array(hash.finalize())
    }

    /// The digest as 64 lowercase hex digits (the manifest's format).
    public mutating func finalizeHex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in finalize() {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public static func hex<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
        var h = SHA256()
        h.update(bytes)
        return h.finalizeHex()
    }
}
