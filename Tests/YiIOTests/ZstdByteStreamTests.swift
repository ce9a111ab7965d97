import Testing
import YiCore
@testable import YiIO
import YiTestSupport

/// Reads a stream to its end or first error, in reads of `chunk` bytes; returns the bytes that
/// came out before the error too.
func drain(_ stream: ByteStream, chunk: Int = 1 << 16) -> (bytes: [UInt8], error: YiError?) {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: chunk)
    do {
        while true {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
            if n == 0 { return (out, nil) }
            out.append(contentsOf: buffer[0..<n])
        }
    } catch let error as YiError {
        return (out, error)
    } catch {
        Issue.record("unexpected error type: \(error)")
        return (out, nil)
    }
}

@Suite struct ZstdByteStreamTests {
    let corpus = readFile(Fixtures.requireShared("corpora/jsonl/corpus.jsonl"))

    @Test func threeShardsReproduceTheCorpus() throws {
        // Shard 1 has no content size in its header; shard 2 holds two frames.
        var joined: [UInt8] = []
        for shard in 0..<3 {
            let path = Fixtures.requireShared("corpora/jsonl_zst/corpus-0000\(shard)-of-00003.jsonl.zst")
            let stream = try openByteStream(path: path, compression: .zstd)
            let (bytes, error) = drain(stream)
            #expect(error == nil)
            #expect(stream.fileBytesRead == Int64(readFile(path).count))
            joined += bytes
        }
        #expect(joined == corpus)
    }

    @Test func tinyReadsAndTinyOutputBuffers() throws {
        let original = Array(corpus.prefix(300_000))
        let compressed = TestCompressors.zstd(Array(original[..<100_000])) + TestCompressors.zstd(Array(original[100_000...]))
        let stream = try ZstdByteStream(upstream: MemoryByteStream(compressed, maximumReadSize: 7))
        let (bytes, error) = drain(stream, chunk: 13)
        #expect(error == nil)
        #expect(bytes == original)
    }

    @Test func skippableFramesAreSkipped() throws {
        let a = Array("first frame\n".utf8), b = Array("second frame\n".utf8)
        let compressed = TestCompressors.zstdSkippableFrame(payload: Array(repeating: 0xAB, count: 100))
            + TestCompressors.zstd(a)
            + TestCompressors.zstdSkippableFrame(payload: [], variant: 0xF)
            + TestCompressors.zstd(b)
            + TestCompressors.zstdSkippableFrame(payload: [1, 2, 3], variant: 3)
        #expect(Compression.detect(prefix: compressed) == .zstd)
        let (bytes, error) = drain(try ZstdByteStream(upstream: MemoryByteStream(compressed)))
        #expect(error == nil)
        #expect(bytes == a + b)
    }

    @Test func truncatedFrameKeepsTheBytesBeforeAndNamesTheOffset() throws {
        let path = Fixtures.requireShared("corpora/damaged/truncated.jsonl.zst")
        let shard = try openByteStream(path: Fixtures.requireShared("corpora/jsonl_zst/corpus-00001-of-00003.jsonl.zst"),
                                       compression: .zstd).readAll()
        let (bytes, error) = drain(try openByteStream(path: path, compression: .zstd))
        let e = try #require(error)
        #expect(e.code == .corruptInput)
        #expect(e.context.path == path)
        #expect(e.context.byteOffset == 170_270, "the whole file was consumed before the frame was found unfinished")
        #expect(e.message.contains("truncated"))
        // zstd -dc emits 393,216 bytes before failing; we emit at least the whole-block output.
        #expect(bytes.count >= 393_216 - 131_072)
        #expect(Array(shard.prefix(bytes.count)) == bytes)
    }

    @Test func corruptFrameIsReportedInsideTheDamagedFrame() throws {
        let path = Fixtures.requireShared("corpora/damaged/corrupt_midframe.jsonl.zst")
        let (bytes, error) = drain(try openByteStream(path: path, compression: .zstd))
        let e = try #require(error)
        #expect(e.code == .corruptInput)
        #expect(e.context.path == path)
        let offset = try #require(e.context.byteOffset)
        #expect((187_020..<262_204).contains(offset), "frame 2 spans [187020, 262204); got \(offset)")
        // Frame 1 (lines 1-26) decoded cleanly, and nothing decoded is wrong.
        let frame1Length = corpus.split(separator: 0x0A, omittingEmptySubsequences: false).prefix(26).map { $0.count + 1 }.reduce(0, +)
        #expect(bytes.count >= frame1Length)
        #expect(Array(corpus.prefix(bytes.count)) == bytes)
    }

    @Test func nonZstdBytesFailAtOffsetZero() throws {
        let (bytes, error) = drain(try ZstdByteStream(upstream: MemoryByteStream(Array("{\"text\": 1}\n".utf8), path: "x.zst")))
        #expect(bytes.isEmpty)
        let e = try #require(error)
        #expect(e.code == .corruptInput && e.context.path == "x.zst" && e.context.byteOffset == 0)
    }

    @Test func emptyInputIsAnEmptyStream() throws {
        let (bytes, error) = drain(try ZstdByteStream(upstream: MemoryByteStream([])))
        #expect(bytes.isEmpty && error == nil)
    }

    @Test func cutAtEveryPlaceOfASmallFrameIsNeverSilent() throws {
        let original = Array(corpus.prefix(5_000))
        let compressed = TestCompressors.zstd(original)
        for cut in 1..<compressed.count {
            let (bytes, error) = drain(try ZstdByteStream(upstream: MemoryByteStream(Array(compressed[..<cut]))))
            #expect(error?.code == .corruptInput, "cut at \(cut) of \(compressed.count)")
            #expect(Array(original.prefix(bytes.count)) == bytes)
        }
    }
}
