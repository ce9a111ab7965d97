import Foundation
import YiCore
import YiReaders

/// The lines of one `docs/part-P.jsonl`, front to back, with the byte offset of each.
struct DocsLineReader {
    let path: String
    let part: Int
    private let handle: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// Index and byte offset of the line `next()` returns.
    private(set) var index = 0
    private(set) var offset: Int64 = 0

    init(path: String, part: Int) throws {
        guard let handle = fopen(path, "rb") else { throw YiError(.io, "cannot open", context: .init(path: path), cause: errnoText()) }
        self.path = path
        self.part = part
        self.handle = handle
    }

    func close() {
        fclose(handle)
        free(buffer)
    }

    mutating func next() throws -> String? {
        guard let length = try advance() else { return nil }
        // Lines are JSON arrays: no newline inside, only the terminating one to drop.
        var count = length
        while count > 0 && (buffer![count - 1] == 0x0A || buffer![count - 1] == 0x0D) { count -= 1 }
        return buffer!.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// Reads one line into the buffer; its length, nil at the end.
    private mutating func advance() throws -> Int? {
        let n = getline(&buffer, &capacity, handle)
        guard n >= 0 else {
            if ferror(handle) != 0 { throw YiError(.io, "cannot read", context: .init(path: path), cause: errnoText()) }
            return nil
        }
        index += 1
        offset += Int64(n)
        return n
    }

    /// The line at byte offset `target` (a line start), for random access: `index` and `offset`
    /// mean nothing afterwards.
    mutating func line(at target: Int64) throws -> String {
        guard fseeko(handle, off_t(target), SEEK_SET) == 0, let line = try next() else {
            throw YiError(.outputState, "inconsistent dedup folder: no line at byte \(target)", context: .init(path: path))
        }
        return line
    }

    /// Skips to line `target` (at or after the current one); returns its byte offset.
    mutating func skip(to target: Int) throws -> Int64 {
        while index < target {
            guard try advance() != nil else {
                throw YiError(.outputState, "inconsistent dedup folder: no line \(target)", context: .init(path: path))
            }
        }
        return offset
    }
}

/// Lines of `docs/` files read at known offsets (the kept documents' lines), a few files open.
struct DocsLineCache {
    let folder: DedupFolder
    private var readers: [Int: DocsLineReader] = [:]

    init(folder: DedupFolder) { self.folder = folder }

    mutating func line(part: Int, offset: Int64) throws -> String {
        if readers[part] == nil {
            if readers.count >= 64 { close() }
            readers[part] = try DocsLineReader(path: folder.docsPath(part: part), part: part)
        }
        return try readers[part]!.line(at: offset)
    }

    mutating func close() {
        for reader in readers.values { reader.close() }
        readers = [:]
    }
}
