import Foundation
import Testing
import YiTestSupport
@testable import YiCore

@Suite struct NpyArrayWriterTests {
    @Test func headerIsAlignedForAnyLength() {
        for count: Int64 in [0, 7, 1 << 40, .max] {
            let header = NpyArrayWriter<UInt32>.header(count: count)
            #expect(header.count == 128)
            #expect(Array(header[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
            #expect(String(decoding: header[10...], as: UTF8.self).contains("'shape': (\(count),)"))
            #expect(header.last == UInt8(ascii: "\n"))
        }
        #expect(NpyArrayWriter<UInt32>.dtype == "<u4")
        #expect(NpyArrayWriter<Int64>.dtype == "<i8")
    }

    @Test func lengthIsWrittenOnCommit() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("a.npy")
        let writer = try NpyArrayWriter<UInt32>(path: path)
        try writer.append(contentsOf: [1, 2, 3])
        try writer.append(0x01020304)
        try writer.commit()
        let bytes = [UInt8](FileManager.default.contents(atPath: path) ?? Data())
        #expect(Array(bytes[0..<128]) == NpyArrayWriter<UInt32>.header(count: 4))
        #expect(Array(bytes[128...]) == [1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 3, 2, 1])
    }
}
