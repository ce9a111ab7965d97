import Foundation
import Testing
import YiCore
import YiTestSupport

@Suite struct AtomicFileWriterTests {
    /// A file written past several writeback steps, in pieces of every size, and one rewritten
    /// header: the committed file holds exactly the bytes written, and nothing is left beside it.
    @Test func largeFileArrivesWhole() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("big.bin")
        let writer = try AtomicFileWriter(path: path)
        var expected = [UInt8]()
        var generator = SplitMix64(seed: 7)
        let pattern = (0..<3_000_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        while expected.count < Int(AtomicFileWriter.writebackStep) * 3 + 12_345 {
            let start = Int(generator.next() % 1_000_000)
            let chunk = pattern[start..<(start + Int(generator.next() % 2_000_000))]
            try chunk.withUnsafeBytes { try writer.write($0) }
            expected += chunk
        }
        try writer.overwrite(at: 10, with: [1, 2, 3, 4])
        expected.replaceSubrange(10..<14, with: [1, 2, 3, 4])
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("")) == ["big.bin"])
    }
}
