import YiCore

/// A minimal reader of the protobuf wire format, enough to decode SentencePiece's `ModelProto`
/// without a protobuf dependency. It walks one message's bytes field by field; nested messages
/// are read by handing their byte range to a new reader.
///
/// Like protobuf itself, a field whose wire type does not match the schema is skipped as an
/// unknown field; bytes that cannot be a well-formed message (a varint running past the end, a
/// length beyond the buffer, wire types 3, 4, 6, 7) throw `ProtobufError` with the byte offset.
struct ProtobufReader {
    enum WireType: UInt8 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    struct Field {
        var number: UInt32
        var wireType: WireType
        /// The value for varint fields (and the raw bits of fixed fields).
        var integer: UInt64
        /// The byte range in the reader's buffer for length-delimited fields.
        var range: Range<Int>
    }

    let bytes: UnsafeBufferPointer<UInt8>
    private(set) var offset: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        offset = range.lowerBound
        end = range.upperBound
    }

    var isAtEnd: Bool { offset >= end }

    /// The next field, or nil at the end of the message. Inlined: a model has four fields per
    /// piece, tens of thousands of pieces.
    @inline(__always)
    mutating func next() throws -> Field? {
        guard offset < end else { return nil }
        let keyOffset = offset
        let key = try readVarint()
        let number = UInt32(truncatingIfNeeded: key >> 3)
        guard number != 0, key >> 3 <= UInt64(UInt32.max) else {
            throw ProtobufError(offset: keyOffset, "invalid field number \(key >> 3)")
        }
        guard let wireType = WireType(rawValue: UInt8(key & 7)) else {
            throw ProtobufError(offset: keyOffset, "unsupported wire type \(key & 7) for field \(number)")
        }
        switch wireType {
        case .varint:
            return Field(number: number, wireType: wireType, integer: try readVarint(), range: 0..<0)
        case .fixed64:
            return Field(number: number, wireType: wireType, integer: try readFixed(8), range: 0..<0)
        case .fixed32:
            return Field(number: number, wireType: wireType, integer: try readFixed(4), range: 0..<0)
        case .lengthDelimited:
            let lengthOffset = offset
            let length = try readVarint()
            guard length <= UInt64(end - offset) else {
                throw ProtobufError(offset: lengthOffset,
                                    "field \(number) claims \(length) bytes but only \(end - offset) remain (truncated file?)")
            }
            let start = offset
            offset += Int(length)
            return Field(number: number, wireType: wireType, integer: 0, range: start..<offset)
        }
    }

    @inline(__always)
    private mutating func readVarint() throws -> UInt64 {
        // Field keys, piece lengths and types are single bytes: one test instead of the loop.
        if offset < end && bytes[offset] < 0x80 {
            offset += 1
            return UInt64(bytes[offset - 1])
        }
        return try readLongVarint()
    }

    private mutating func readLongVarint() throws -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { break }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw ProtobufError(offset: start, offset >= end ? "varint runs past the end of the data (truncated file?)" : "varint is longer than 10 bytes")
    }

    private mutating func readFixed(_ size: Int) throws -> UInt64 {
        guard end - offset >= size else {
            throw ProtobufError(offset: offset, "fixed-size field runs past the end of the data (truncated file?)")
        }
        let raw = UnsafeRawPointer(bytes.baseAddress! + offset)
        let value = size == 8 ? UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
                              : UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
        offset += size
        return value
    }
}

/// A malformed protobuf message, with the byte offset where reading failed.
struct ProtobufError: Error {
    var offset: Int
    var message: String
    init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }
}

extension ProtobufReader.Field {
    /// proto2 `bool`: any non-zero varint is true.
    var bool: Bool { integer != 0 }
    /// proto2 `int32`: negative values are sent as 64-bit two's complement varints.
    var int32: Int32 { Int32(truncatingIfNeeded: integer) }
    var float: Float { Float(bitPattern: UInt32(truncatingIfNeeded: integer)) }
}
