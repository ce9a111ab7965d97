import Foundation
import YiCore
import YiReaders

/// A step unit's output for the next step's units, in one file written atomically: the records
/// for receiver 0, then for receiver 1, ...; `commit` returns the byte offsets of these segments
/// (receivers + 1), which go into the unit's marker. Records wait per receiver in memory, then in
/// an unlinked temporary file next to the output: one file and one sync per unit, not one per
/// receiver, and a killed unit leaves nothing behind but its output's temporary name.
final class ShuffleWriter {
    let path: String
    private var pending: [[UInt64]]
    private var overflow: [UnsafeMutablePointer<FILE>?]
    private let flushWords: Int

    init(path: String, receivers: Int, bufferBytes: Int) {
        self.path = path
        pending = Array(repeating: [], count: receivers)
        overflow = Array(repeating: nil, count: receivers)
        flushWords = max(512, bufferBytes / 8)
    }

    deinit { for file in overflow { if let file { fclose(file) } } }

    func write<R: WordRecord>(_ record: R, to receiver: Int) throws {
        record.append(to: &pending[receiver])
        if pending[receiver].count >= flushWords { try flush(receiver) }
    }

    private func flush(_ receiver: Int) throws {
        if overflow[receiver] == nil {
            let temporary = path + ".\(receiver).tmp-\(getpid())"
            guard let file = fopen(temporary, "w+b") else {
                throw YiError(.io, "cannot create file", context: .init(path: temporary), cause: errnoText())
            }
            unlink(temporary)
            overflow[receiver] = file
        }
        let words = pending[receiver].map(\.littleEndian)
        let written = words.withUnsafeBytes { fwrite($0.baseAddress, 8, words.count, overflow[receiver]) }
        guard written == words.count else { throw YiError(.io, "cannot write a temporary file", context: .init(path: path), cause: errnoText()) }
        pending[receiver].removeAll(keepingCapacity: true)
    }

    /// Writes the output; returns the segments' byte offsets.
    func commit() throws -> [Int64] {
        let writer = try AtomicFileWriter(path: path)
        var offsets: [Int64] = [0]
        var copy = [UInt8](repeating: 0, count: 1 << 18)
        for receiver in pending.indices {
            if let file = overflow[receiver] {
                rewind(file)
                while true {
                    let n = copy.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                    if n == 0 { break }
                    try copy.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
                if ferror(file) != 0 { throw YiError(.io, "cannot read a temporary file", context: .init(path: path), cause: errnoText()) }
                fclose(file)
                overflow[receiver] = nil
            }
            try pending[receiver].writeLittleEndian(to: writer)
            pending[receiver] = []
            offsets.append(writer.bytesWritten)
        }
        try writer.commit()
        return offsets
    }
}
