import Testing
import YiCore
@testable import YiIO
import YiTestSupport

private struct CollectedLine: Equatable {
    var bytes: [UInt8]
    var number: Int
    var offset: Int64
}

private func collect(_ reader: LineReader) throws -> [CollectedLine] {
    var lines: [CollectedLine] = []
    while let line = try reader.next() {
        lines.append(CollectedLine(bytes: Array(line.bytes), number: line.number, offset: line.offset))
    }
    return lines
}

/// The specification, written the slow obvious way.
private func referenceLines(_ bytes: [UInt8]) -> [CollectedLine] {
    var lines: [CollectedLine] = []
    var start = 0
    for (i, b) in bytes.enumerated() where b == 0x0A {
        lines.append(CollectedLine(bytes: Array(bytes[start..<i]), number: lines.count + 1, offset: Int64(start)))
        start = i + 1
    }
    if start < bytes.count {
        lines.append(CollectedLine(bytes: Array(bytes[start...]), number: lines.count + 1, offset: Int64(start)))
    }
    return lines.map { line in
        var l = line
        if l.bytes.last == 0x0D { l.bytes.removeLast() }
        return l
    }
}

/// A stream that hands out its bytes, then fails like a truncated compressed file.
private final class FailingStream: ByteStream {
    let path = "failing.zst"
    let inner: MemoryByteStream
    init(_ bytes: [UInt8]) { inner = MemoryByteStream(bytes, maximumReadSize: 5) }
    var fileBytesRead: Int64 { inner.fileBytesRead }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        if n == 0 { throw YiError(.corruptInput, "truncated", context: .init(path: path, byteOffset: 42)) }
        return n
    }
}

@Suite struct LineReaderTests {
    @Test func crlfEmptyLinesAndAMissingFinalNewline() throws {
        let text = Array("a\r\n\nb\r\r\n\r\nlast".utf8)
        let lines = try collect(LineReader(stream: MemoryByteStream(text), chunkSize: 4))
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["a", "", "b\r", "", "last"])
        #expect(lines.map(\.number) == [1, 2, 3, 4, 5])
        #expect(lines.map(\.offset) == [0, 3, 4, 8, 10])
    }

    @Test func finalNewlineMakesNoExtraLine() throws {
        #expect(try collect(LineReader(stream: MemoryByteStream(Array("x\n".utf8)))).count == 1)
        #expect(try collect(LineReader(stream: MemoryByteStream([]))).isEmpty)
        #expect(try collect(LineReader(stream: MemoryByteStream([0x0A]))).map(\.bytes) == [[]])
    }

    @Test func randomInputsMatchTheReference() throws {
        var rng = SplitMix64(seed: 7)
        for round in 0..<300 {
            let length = Int.random(in: 0...3000, using: &rng)
            let newlineEvery = Int.random(in: 1...400, using: &rng)
            let bytes: [UInt8] = (0..<length).map { _ in
                switch Int.random(in: 0..<newlineEvery, using: &rng) {
                case 0: return 0x0A
                case 1: return 0x0D
                default: return UInt8.random(in: 0x20...0xFF, using: &rng)
                }
            }
            let chunk = Int.random(in: 1...64, using: &rng)
            let readSize = Int.random(in: 1...100, using: &rng)
            let reader = LineReader(stream: MemoryByteStream(bytes, maximumReadSize: readSize), chunkSize: chunk)
            #expect(try collect(reader) == referenceLines(bytes), "round \(round)")
            #expect(reader.bytesRead == Int64(bytes.count))
        }
    }

    @Test func aLineOfManyMegabytesIsWholeAndTheBufferShrinksAfterwards() throws {
        let long = [UInt8](repeating: UInt8(ascii: "z"), count: 6_000_000)
        let bytes = Array("short\n".utf8) + long + Array("\r\nafter\n".utf8)
        let reader = LineReader(stream: MemoryByteStream(bytes, maximumReadSize: 100_000), chunkSize: 1 << 16)
        #expect(try reader.next().map { Array($0.bytes) } == Array("short".utf8))
        let second = try #require(try reader.next())
        #expect(second.bytes.count == long.count && second.number == 2 && second.offset == 6)
        #expect(second.bytes.allSatisfy { $0 == UInt8(ascii: "z") })
        #expect(reader.capacityForTesting >= long.count)
        #expect(try reader.next().map { Array($0.bytes) } == Array("after".utf8))
        #expect(try reader.next() == nil)
        #expect(reader.capacityForTesting <= 2 << 16, "buffer returns to its resting size")
    }

    @Test func streamErrorsPropagateAndThePartialLineIsNotHandedOut() throws {
        let reader = LineReader(stream: FailingStream(Array("one\ntwo\nthree-partial".utf8)), chunkSize: 8)
        #expect(try reader.next().map { Array($0.bytes) } == Array("one".utf8))
        #expect(try reader.next().map { Array($0.bytes) } == Array("two".utf8))
        #expect(throws: YiError.self) { try reader.next() }
    }
}
