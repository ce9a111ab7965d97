#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import YiCore

/// Small whole-file and line-by-line readers for the config and filler files (YiContext sees only
/// YiCore, so it does not use YiIO's streams; these files are small or read up to a cap).
enum FileReading {
    /// The whole file. Meant for small files such as `config.json`.
    static func readAll(_ path: String, limit: Int = 64 << 20) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk(path) { chunk in
            guard bytes.count + chunk.count <= limit else {
                throw YiError(.usage, "file is larger than \(limit >> 20) MiB", context: .init(path: path))
            }
            bytes.append(contentsOf: chunk)
            return true
        }
        return bytes
    }

    /// Calls `body` with each line (without its `\n`; a trailing `\r` is kept) and its 1-based
    /// number until `body` returns false or the file ends.
    static func forEachLine(_ path: String, _ body: (ArraySlice<UInt8>, Int) throws -> Bool) throws {
        var pending: [UInt8] = []
        var lineNumber = 0
        var stopped = false
        try forEachChunk(path) { chunk in
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let keepGoing: Bool
                if pending.isEmpty {
                    keepGoing = try body(chunk[start..<newline], lineNumber)
                } else {
                    pending.append(contentsOf: chunk[start..<newline])
                    keepGoing = try body(pending[...], lineNumber)
                    pending.removeAll(keepingCapacity: true)
                }
                start = newline + 1
                if !keepGoing { stopped = true; return false }
            }
            pending.append(contentsOf: chunk[start...])
            return true
        }
        if !stopped, !pending.isEmpty { _ = try body(pending[...], lineNumber + 1) }
    }

    private static func forEachChunk(_ path: String, _ body: (ArraySlice<UInt8>) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw YiError(.input, "cannot open file", context: .init(path: path), cause: errnoText()) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var offset: Int64 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw YiError(.input, "cannot read file", context: .init(path: path, byteOffset: offset), cause: errnoText())
            }
            if n == 0 { return }
            offset += Int64(n)
            guard try body(buffer[0..<n]) else { return }
        }
    }
}
