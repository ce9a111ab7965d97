/// Streams a one-dimensional array of little-endian integers into a NumPy `.npy` file (format
/// 1.0), which `numpy.load` reads directly (also memory-mapped). The length is known only at the
/// end, so the header is written with room for any length and rewritten by `commit()`; the file
/// appears atomically, as with every output.
public final class NpyArrayWriter<Element: FixedWidthInteger> {
    /// Magic, version, header length and the header dictionary padded to this many bytes: a
    /// multiple of 64 as the format asks, large enough for any 64-bit length.
    static var headerSize: Int { 128 }

    private let file: AtomicFileWriter
    public private(set) var count: Int64 = 0
    public var path: String { file.path }

    public init(path: String) throws {
        file = try AtomicFileWriter(path: path)
        try file.write(Self.header(count: 0))
    }

    /// numpy's type string: `<u4` for UInt32, `<i8` for Int64.
    public static var dtype: String {
        "<" + (Element.isSigned ? "i" : "u") + String(Element.bitWidth / 8)
    }

    static func header(count: Int64) -> [UInt8] {
        let dictionary = "{'descr': '\(dtype)', 'fortran_order': False, 'shape': (\(count),), }"
        let length = headerSize - 10
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes.append(UInt8(length & 0xff))
        bytes.append(UInt8(length >> 8))
        bytes.append(contentsOf: dictionary.utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: headerSize - bytes.count - 1))
        bytes.append(UInt8(ascii: "\n"))
        precondition(bytes.count == headerSize)
        return bytes
    }

    public func append(_ value: Element) throws {
        try file.writeLittleEndian(value)
        count += 1
    }

    public func append(contentsOf values: [Element]) throws {
        #if _endian(little)
        try values.withUnsafeBytes { try file.write($0) }
        #else
        for value in values { try file.writeLittleEndian(value) }
        #endif
        count += Int64(values.count)
    }

    /// Writes the final length into the header and moves the file into place.
    public func commit() throws {
        try file.overwrite(at: 0, with: Self.header(count: count))
        try file.commit()
    }
}
