import Testing
import YiCore
@testable import YiIO
import YiTestSupport

/// The longest line (docs/reliability.md, "Limits"): refused as damaged input, memory capped.
@Suite struct LineLengthLimitTests {
    @Test func theDefaultIsOneGibibyte() {
        #expect(LineReader.defaultMaximumLineBytes == 1 << 30)
        #expect(LineReader(stream: MemoryByteStream([])).maximumLineBytes == 1 << 30)
    }

    /// Lines up to the limit pass; the first longer one throws `.corruptInput` at its offset, the
    /// lines before it having been handed out. Both with the newline in view and without.
    @Test func aLongerLineIsRefusedAtItsOffset() throws {
        for chunk in [7, 64, 1 << 20] {
            let atLimit = [UInt8](repeating: 0x61, count: 1000)
            let over = [UInt8](repeating: 0x62, count: 1001)
            let bytes = Array("short\n".utf8) + atLimit + [0x0A] + over + [0x0A] + Array("after\n".utf8)
            let reader = LineReader(stream: MemoryByteStream(bytes, maximumReadSize: 13), chunkSize: chunk, maximumLineBytes: 1000)
            #expect(try reader.next().map { Array($0.bytes) } == Array("short".utf8))
            #expect(try reader.next().map { Array($0.bytes) } == atLimit)
            do {
                _ = try reader.next()
                Issue.record("a 1001-byte line passed a 1000-byte limit (chunk \(chunk))")
            } catch let error as YiError {
                #expect(error.code == .corruptInput)
                #expect(error.context.byteOffset == Int64(6 + 1001))
                #expect(error.message.contains("line 3 is longer than 1000 bytes"))
            }
        }
    }

    /// A line with no end in sight stops growing the buffer at the limit plus one chunk.
    @Test func memoryStaysBoundedByTheLimit() throws {
        let endless = [UInt8](repeating: 0x78, count: 100_000)
        let reader = LineReader(stream: MemoryByteStream(endless), chunkSize: 256, maximumLineBytes: 10_000)
        #expect(throws: YiError.self) { try reader.next() }
        #expect(reader.capacityForTesting <= 10_000 + 1 + 256)
    }
}
