import YiCore

/// Writes a Megatron `.idx` in one streaming pass: lengths, then pointers computed from the
/// lengths, then document indices `0, 1, ..., N` (one Megatron document per sequence).
enum MegatronIndexWriter {
    static func write<Lengths: Collection>(to out: HashingFileWriter, dtype: MegatronDType, lengths: Lengths) throws
    where Lengths.Element == Int {
        let count = lengths.count
        try out.write(MegatronFormat.magic)
        try out.writeLittleEndian(MegatronFormat.version)
        try out.writeLittleEndian(dtype.rawValue)
        try out.writeLittleEndian(UInt64(count))
        try out.writeLittleEndian(UInt64(count + 1))
        var chunk = [UInt8]()
        chunk.reserveCapacity(1 << 16)
        func flushIfFull(_ force: Bool = false) throws {
            if force || chunk.count >= (1 << 16) - 8 {
                try out.write(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        func append<T: FixedWidthInteger>(_ value: T) throws {
            withUnsafeBytes(of: value.littleEndian) { chunk.append(contentsOf: $0) }
            try flushIfFull()
        }
        for length in lengths { try append(Int32(length)) }
        var pointer: Int64 = 0
        for length in lengths {
            try append(pointer)
            pointer += Int64(length) * Int64(dtype.byteWidth)
        }
        for document in 0...count { try append(Int64(document)) }
        try flushIfFull(true)
    }
}

/// The header of a Megatron `.idx` and positioned access to its arrays (no array is loaded
/// whole, so indexes of any size open instantly).
public struct MegatronIndexHeader: Sendable, Equatable {
    public var dtype: MegatronDType
    public var sequenceCount: Int
    public var documentCount: Int

    public var expectedIndexSize: Int64 {
        MegatronFormat.indexSize(sequences: sequenceCount, documents: documentCount)
    }
}

/// An opened `.idx` file whose header has been checked.
final class MegatronIndexFile {
    let file: ReadOnlyFile
    let header: MegatronIndexHeader

    /// Opens and checks magic, version, dtype code and the counts against the file size.
    /// Throws `.corruptInput` naming the byte offset of the first thing that is wrong.
    init(path: String) throws {
        file = try ReadOnlyFile(path: path)
        header = try MegatronIndexFile.readHeader(file)
        let expected = header.expectedIndexSize
        if file.size < expected {
            throw YiError(.corruptInput,
                          "index is \(file.size) bytes but its counts (\(header.sequenceCount) sequences, \(header.documentCount) document indices) need \(expected)",
                          context: .init(path: path, byteOffset: file.size))
        }
    }

    static func readHeader(_ file: ReadOnlyFile) throws -> MegatronIndexHeader {
        let path = file.path
        if file.size < Int64(MegatronFormat.headerSize) {
            throw YiError(.corruptInput, "index is \(file.size) bytes, shorter than the \(MegatronFormat.headerSize)-byte MMIDIDX header",
                          context: .init(path: path, byteOffset: 0))
        }
        let head = try file.bytes(at: 0, count: MegatronFormat.headerSize, what: "the index header")
        if Array(head[0..<9]) != MegatronFormat.magic {
            throw YiError(.corruptInput, "bad magic: expected MMIDIDX\\0\\0 (Megatron MMIDIDX index)",
                          context: .init(path: path, byteOffset: 0))
        }
        func u64(_ offset: Int64) -> UInt64 {
            head.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: Int(offset), as: UInt64.self)) }
        }
        let version = u64(MegatronFormat.versionOffset)
        if version != MegatronFormat.version {
            throw YiError(.corruptInput, "unsupported index version \(version) (expected 1)",
                          context: .init(path: path, byteOffset: MegatronFormat.versionOffset))
        }
        let code = head[Int(MegatronFormat.dtypeOffset)]
        guard let dtype = MegatronDType(rawValue: code) else {
            throw YiError(.corruptInput, "unknown dtype code \(code) (Megatron codes are 1...8)",
                          context: .init(path: path, byteOffset: MegatronFormat.dtypeOffset))
        }
        let sequences = u64(MegatronFormat.sequenceCountOffset)
        let documents = u64(MegatronFormat.documentCountOffset)
        // Counts beyond what the file could hold are damage, not a reason to allocate.
        let limit = UInt64(max(0, file.size)) / 4
        if sequences > limit {
            throw YiError(.corruptInput, "sequence count \(sequences) cannot fit in a \(file.size)-byte index",
                          context: .init(path: path, byteOffset: MegatronFormat.sequenceCountOffset))
        }
        if documents > limit {
            throw YiError(.corruptInput, "document count \(documents) cannot fit in a \(file.size)-byte index",
                          context: .init(path: path, byteOffset: MegatronFormat.documentCountOffset))
        }
        return MegatronIndexHeader(dtype: dtype, sequenceCount: Int(sequences), documentCount: Int(documents))
    }

    func lengthOffset(_ sequence: Int) -> Int64 { MegatronFormat.lengthsOffset + 4 * Int64(sequence) }
    func pointerOffset(_ sequence: Int) -> Int64 {
        MegatronFormat.pointersOffset(sequences: header.sequenceCount) + 8 * Int64(sequence)
    }
    func documentIndexOffset(_ document: Int) -> Int64 {
        MegatronFormat.documentIndicesOffset(sequences: header.sequenceCount) + 8 * Int64(document)
    }

    func length(of sequence: Int) throws -> Int {
        Int(try file.littleEndian(Int32.self, at: lengthOffset(sequence), what: "sequence length \(sequence)"))
    }

    func pointer(of sequence: Int) throws -> Int64 {
        try file.littleEndian(Int64.self, at: pointerOffset(sequence), what: "sequence pointer \(sequence)")
    }

    /// Cursors over the three arrays, for streaming passes.
    func lengthsCursor() -> FileCursor { FileCursor(file: file, offset: MegatronFormat.lengthsOffset) }
    func pointersCursor() -> FileCursor { FileCursor(file: file, offset: pointerOffset(0)) }
    func documentIndicesCursor() -> FileCursor { FileCursor(file: file, offset: documentIndexOffset(0)) }
}
