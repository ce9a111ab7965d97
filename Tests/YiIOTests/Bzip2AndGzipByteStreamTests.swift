import Testing
import YiCore
@testable import YiIO
import YiTestSupport

@Suite struct Bzip2ByteStreamTests {
    @Test(arguments: [
        ("corpora/wiki_xml/found/enwiki-table-markup.xml.bz2", "corpora/wiki_xml/enwiki-table-markup.xml"),
        ("corpora/wiki_xml/found/macbre-mediawiki-dump_dump.xml.bz2", "corpora/wiki_xml/fowiki-macbre-mediawiki-dump-fixture.xml"),
    ])
    func foundDumpsDecompressToTheirXML(compressed: String, plain: String) throws {
        let path = Fixtures.requireShared(compressed)
        let stream = try openByteStream(path: path, compression: .bzip2)
        let (bytes, error) = drain(stream)
        #expect(error == nil)
        #expect(bytes == readFile(Fixtures.requireShared(plain)))
        #expect(stream.fileBytesRead == Int64(readFile(path).count))
    }

    @Test func multistreamFilesAreReadToTheEnd() throws {
        // Wikipedia's multistream dumps are many bzip2 streams back to back.
        let parts = (0..<5).map { Array("part \($0): ".utf8) + Array(repeating: UInt8(0x61 + $0), count: 1000 * ($0 + 1)) }
        let compressed = parts.flatMap(TestCompressors.bzip2)
        let stream = try Bzip2ByteStream(upstream: MemoryByteStream(compressed, maximumReadSize: 100))
        let (bytes, error) = drain(stream, chunk: 333)
        #expect(error == nil)
        #expect(bytes == parts.flatMap { $0 })
        #expect(stream.streamsDecoded == 5)
    }

    @Test func truncatedStreamNamesFileAndOffset() throws {
        let path = Fixtures.requireShared("corpora/damaged/enwiki-table-markup.truncated-stream.xml.bz2")
        let (bytes, error) = drain(try openByteStream(path: path, compression: .bzip2))
        let e = try #require(error)
        #expect(e.code == .corruptInput && e.context.path == path)
        #expect(e.context.byteOffset == 38_464)
        #expect(e.message.contains("truncated"))
        // The file is one 900k block: nothing decodes before the cut (bzip2 -dc emits nothing too).
        let plain = readFile(Fixtures.requireShared("corpora/wiki_xml/enwiki-table-markup.xml"))
        #expect(Array(plain.prefix(bytes.count)) == bytes)
    }

    @Test func secondStreamCutShortIsTruncationAfterTheFirstStreamsBytes() throws {
        let first = Array(repeating: UInt8(ascii: "x"), count: 10_000), second = Array(repeating: UInt8(ascii: "y"), count: 10_000)
        let b = TestCompressors.bzip2(second)
        let compressed = TestCompressors.bzip2(first) + b.prefix(b.count - 10)
        let (bytes, error) = drain(try Bzip2ByteStream(upstream: MemoryByteStream(compressed)))
        #expect(error?.code == .corruptInput)
        #expect(Array(bytes.prefix(first.count)) == first)
    }

    @Test func garbageAfterAStreamIsReported() throws {
        let compressed = TestCompressors.bzip2(Array("hello\n".utf8)) + Array("not bzip2".utf8)
        let (bytes, error) = drain(try Bzip2ByteStream(upstream: MemoryByteStream(compressed, path: "g.bz2")))
        #expect(bytes == Array("hello\n".utf8))
        let e = try #require(error)
        #expect(e.code == .corruptInput && e.context.path == "g.bz2")
        #expect(e.message.contains("after bzip2 stream 1"))
    }

    @Test func flippedBytesAreCorruption() throws {
        var compressed = TestCompressors.bzip2(Array(repeating: Array("some text to compress, ".utf8), count: 500).flatMap { $0 })
        for i in 40..<60 { compressed[i] ^= 0xFF }
        let (_, error) = drain(try Bzip2ByteStream(upstream: MemoryByteStream(compressed)))
        #expect(error?.code == .corruptInput)
    }
}

@Suite struct GzipByteStreamTests {
    let sample = Array(readFile(Fixtures.requireShared("corpora/jsonl/corpus.jsonl")).prefix(200_000))

    @Test func membersAreConcatenated() throws {
        let compressed = TestCompressors.gzip(Array(sample[..<50_000])) + TestCompressors.gzip([])
            + TestCompressors.gzip(Array(sample[50_000...]))
        #expect(Compression.detect(prefix: compressed) == .gzip)
        let stream = try GzipByteStream(upstream: MemoryByteStream(compressed, maximumReadSize: 999))
        let (bytes, error) = drain(stream, chunk: 4097)
        #expect(error == nil)
        #expect(bytes == sample)
        #expect(stream.membersDecoded == 3)
    }

    @Test func truncationAtEveryTenthByteIsReported() throws {
        let original = Array(sample.prefix(20_000))
        let compressed = TestCompressors.gzip(original)
        for cut in stride(from: 1, to: compressed.count, by: 10) {
            let (bytes, error) = drain(try GzipByteStream(upstream: MemoryByteStream(Array(compressed[..<cut]), path: "t.gz")))
            let e = try #require(error, "cut at \(cut)")
            #expect(e.code == .corruptInput && e.context.path == "t.gz" && e.context.byteOffset == Int64(cut))
            #expect(Array(original.prefix(bytes.count)) == bytes)
        }
    }

    @Test func badChecksumAndTrailingGarbageAreCorruption() throws {
        var compressed = TestCompressors.gzip(Array(sample.prefix(1000)))
        compressed[compressed.count - 6] ^= 0x01   // inside the CRC32 trailer
        #expect(drain(try GzipByteStream(upstream: MemoryByteStream(compressed))).error?.code == .corruptInput)

        let withGarbage = TestCompressors.gzip(Array("ok\n".utf8)) + Array("garbage".utf8)
        let (bytes, error) = drain(try GzipByteStream(upstream: MemoryByteStream(withGarbage)))
        #expect(bytes == Array("ok\n".utf8))
        #expect(error?.code == .corruptInput)
    }
}

@Suite struct CompressionDetectionTests {
    @Test func magicBytes() {
        #expect(Compression.detect(prefix: [0x28, 0xB5, 0x2F, 0xFD, 0, 0]) == .zstd)
        #expect(Compression.detect(prefix: Array("BZh91AY".utf8)) == .bzip2)
        #expect(Compression.detect(prefix: Array("BZh0".utf8)) == Compression.none, "block size digit must be 1-9")
        #expect(Compression.detect(prefix: [0x1F, 0x8B, 8]) == .gzip)
        #expect(Compression.detect(prefix: Array("{\"text\"".utf8)) == Compression.none)
        #expect(Compression.detect(prefix: []) == Compression.none)
        #expect(Compression.detect(prefix: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) == nil)
        #expect(Compression.unsupportedName(prefix: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) == "xz")
    }

    @Test func extensions() {
        #expect(Compression.fromExtension("a.jsonl.zst") == .zstd)
        #expect(Compression.fromExtension("enwiki-latest-pages-articles1.xml-p1p41242.bz2") == .bzip2)
        #expect(Compression.fromExtension("x.JSONL.GZ") == .gzip)
        #expect(Compression.fromExtension("x.jsonl") == nil)
    }
}
