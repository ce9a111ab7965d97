import Foundation
import PropertyBased
import Testing
import YiCore
import YiIO
import YiTestSupport
@testable import YiReaders

/// Slices of large inputs: whatever the cut points, the slices' documents, in order, are the
/// whole file's documents.
@Suite struct InputSlicingTests {
    // MARK: plain JSON lines

    /// Lines with multi-byte characters, CRLF endings, blank and malformed lines, and one line far
    /// longer than the slices.
    static let jsonLines: Generator<[UInt8], some SendableSequenceType> = Gen.int(in: 0...6).array(of: 1...40).map { kinds in
        var bytes: [UInt8] = []
        for (n, kind) in kinds.enumerated() {
            switch kind {
            case 0: bytes += Array("{\"text\": \"é中😀 line \(n)\"}\r\n".utf8)
            case 1: bytes += Array("\n".utf8)
            case 2: bytes += Array("{\"text\": \"broken\n".utf8)
            case 3: bytes += Array("{\"text\": \"\(String(repeating: "长", count: 700 + n))\"}\n".utf8)
            case 4: bytes += Array("{\"text\": \"x\(n)\", \"id\": \"doc-\(n)\"}\n".utf8)
            default: bytes += Array("{\"text\": \"plain \(n) ünï\"}\n".utf8)
            }
        }
        if kinds.count % 3 == 0 { bytes += Array("{\"text\": \"no final newline\"}".utf8) }
        return bytes
    }

    @Test func plainSlicesPartitionTheLinesForAnyCuts() async throws {
        let dir = TemporaryDirectory()
        await propertyCheck(count: 150, input: Self.jsonLines, Gen.double(in: 0...1).array(of: 0...7)) { bytes, fractions in
            let path = dir.file("lines.jsonl")
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            let cuts = fractions.map { Int64($0 * Double(bytes.count)) }.sorted()
            let input = DiscoveredInput(path: path, format: .jsonl, compression: .none, size: Int64(bytes.count))
            let slices = Self.slices(of: input, cuts: cuts)

            var joined: [UInt8] = []
            for slice in slices {
                let part = try LineSliceByteStream(path: path, range: slice.range!).readAll()
                // Every slice is a run of whole lines: it ends with `\n`, or at the end of the file.
                #expect(part.isEmpty || part.last == 0x0A || slice.range!.end == input.size || joined.count + part.count == bytes.count)
                joined += part
            }
            #expect(joined == bytes)

            let whole = try Self.documents(input)
            let sliced = try slices.flatMap { try Self.documents($0) }
            #expect(sliced.map(\.text) == whole.map(\.text))
            // Ids: a record's own id, else the file offset of its line (the same for any cuts).
            let expectedIDs = whole.map { $0.id.hasPrefix(path + ":") ? "\(path)@\($0.location.byteOffset!)" : $0.id }
            #expect(sliced.map(\.id) == expectedIDs)
        }
    }

    /// Every single cut point of a small file, one by one: inside `é`, on `\r`, on `\n`.
    @Test func everyCutPointOfASmallFile() throws {
        let dir = TemporaryDirectory()
        let bytes = Array("{\"text\": \"é\"}\r\n\n{\"text\": \"中文\"}\n{\"text\": \"z\"}".utf8)
        let path = dir.file("small.jsonl")
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let input = DiscoveredInput(path: path, format: .jsonl, compression: .none, size: Int64(bytes.count))
        let whole = try Self.documents(input).map(\.text)
        #expect(whole == ["é", "中文", "z"])
        for cut in 0...Int64(bytes.count) {
            let slices = Self.slices(of: input, cuts: [cut])
            #expect(try slices.flatMap { try Self.documents($0) }.map(\.text) == whole, "cut at \(cut)")
        }
    }

    @Test func plainFilesAreCutAtMultiplesOfTheTarget() throws {
        let input = DiscoveredInput(path: "/nonexistent.jsonl", format: .jsonl, compression: .none, size: 250)
        #expect(sliceInput(input, targetBytes: 100).slices.map(\.range) == [ByteRange(start: 0, end: 100), ByteRange(start: 100, end: 200), ByteRange(start: 200, end: 250)])
        // No larger than the target: read whole, ids unchanged.
        #expect(sliceInput(input, targetBytes: 250) == SlicedInput(slices: [input], note: nil))
    }

    // MARK: zstd

    /// Lines of a `.zst` slice are located by their decompressed offset, as when the file is read
    /// whole, when the frames before the slice state their content size; else not at all.
    @Test func zstdSlicesLocateLinesByDecompressedOffsetFromFrameContentSizes() throws {
        let dir = TemporaryDirectory()
        let lines = (0..<40).map { "{\"text\": \"line \($0) \(String(repeating: "x", count: $0 * 3))\"}\n" }
        for sized in [true, false] {
            var file: [UInt8] = []
            for start in stride(from: 0, to: 40, by: 5) {
                let group = Array(lines[start..<start + 5].joined().utf8)
                file += sized || start == 0 ? TestCompressors.zstd(group) : TestCompressors.zstdWithoutContentSize(group)
                if start == 10 { file += TestCompressors.zstdSkippableFrame(payload: [9, 9]) }
            }
            let path = dir.file("located-\(sized).jsonl.zst")
            FileManager.default.createFile(atPath: path, contents: Data(file))
            let input = DiscoveredInput(path: path, format: .jsonl, compression: .zstd, size: Int64(file.count))
            let whole = try Self.documents(input).map(\.location.byteOffset)
            #expect(whole.allSatisfy { $0 != nil })
            let sliced = sliceInput(input, targetBytes: 100)
            #expect(sliced.slices.count > 2)
            let offsets = try sliced.slices.flatMap { try Self.documents($0) }.map(\.location.byteOffset)
            if sized {
                #expect(offsets == whole)
            } else {
                // The first slice starts at byte 0; the others follow a frame of unknown size.
                let firstSlice = try Self.documents(sliced.slices[0]).count
                #expect(offsets.filter { $0 != nil }.count == firstSlice)
            }
        }
    }

    @Test func zstdFilesAreCutAtFramesThatEndOnALineEnd() throws {
        let dir = TemporaryDirectory()
        let lines = (0..<60).map { "{\"text\": \"document \($0) \(String(repeating: "词", count: $0 % 7))\"}\n" }
        // Frames of 6 lines each, except that frame 4 ends in the middle of a line.
        var groups = stride(from: 0, to: 60, by: 6).map { lines[$0..<($0 + 6)].joined() }
        let moved = groups[4].suffix(10)
        groups[4].removeLast(10)
        groups[5] = moved + groups[5]
        var file: [UInt8] = []
        var frameStarts: [Int64] = []
        for (n, group) in groups.enumerated() {
            if n == 7 {
                frameStarts.append(Int64(file.count))
                file += TestCompressors.zstdSkippableFrame(payload: [1, 2, 3])
            }
            frameStarts.append(Int64(file.count))
            file += TestCompressors.zstd(Array(group.utf8))
        }
        let path = dir.file("frames.jsonl.zst")
        FileManager.default.createFile(atPath: path, contents: Data(file))
        let input = DiscoveredInput(path: path, format: .jsonl, compression: .zstd, size: Int64(file.count))

        let walker = try ZstdFrameWalker(path: path)
        var walked: [Int64] = []
        while let frame = try walker.next() { walked.append(frame.start) }
        #expect(walked == frameStarts)

        let whole = try Self.documents(input)
        #expect(whole.count == 60)
        var idsByCut: [[String]] = []
        for target in [1, 90, 200, 400] as [Int64] {
            let sliced = sliceInput(input, targetBytes: target)
            let starts = sliced.slices.map { $0.range!.start }
            #expect(sliced.slices.count > 1, "target \(target)")
            #expect(Set(starts).isSubset(of: Set(frameStarts)))
            // Not after the frame that ends mid-line, nor at the skippable frame or after it.
            #expect(!starts.contains(frameStarts[5]) && !starts.contains(frameStarts[7]) && !starts.contains(frameStarts[8]))
            let documents = try sliced.slices.flatMap { try Self.documents($0) }
            #expect(documents.map(\.text) == whole.map(\.text))
            idsByCut.append(documents.map(\.id))
        }
        // Ids name the frame and the offset in its content: the same whatever the cuts.
        #expect(Set(idsByCut).count == 1)
        #expect(idsByCut[0][0] == "\(path)@0+0")
    }

    @Test func aSingleFrameIsReadWholeAndSaysSo() throws {
        let dir = TemporaryDirectory()
        let text = (0..<200).map { "{\"text\": \"line \($0)\"}\n" }.joined()
        let path = dir.file("one.jsonl.zst")
        let file = TestCompressors.zstd(Array(text.utf8))
        FileManager.default.createFile(atPath: path, contents: Data(file))
        let sliced = sliceInput(DiscoveredInput(path: path, format: .jsonl, compression: .zstd, size: Int64(file.count)), targetBytes: 10)
        #expect(sliced.slices.count == 1 && sliced.slices[0].range == nil)
        #expect(sliced.note?.contains("one zstd frame") == true)
    }

    // MARK: MediaWiki multistream

    /// A Wikipedia-style multistream dump built from a real export: the header alone in the first
    /// stream, two pages per stream, `</mediawiki>` alone in the last.
    static func multistreamDump(_ xml: String, compress: ([UInt8]) -> [UInt8]) -> [UInt8] {
        let bytes = Array(xml.utf8)
        let starts = pageStarts(bytes)
        let footer = bytes.count - Array("</mediawiki>".utf8).count - (xml.hasSuffix("\n") ? 1 : 0)
        var pieces = [Array(bytes[..<starts[0]])]
        for n in stride(from: 0, to: starts.count, by: 2) {
            pieces.append(Array(bytes[starts[n]..<(n + 2 < starts.count ? starts[n + 2] : footer)]))
        }
        pieces.append(Array(bytes[footer...]))
        return pieces.flatMap(compress)
    }

    static func pageStarts(_ bytes: [UInt8]) -> [Int] {
        var starts: [Int] = []
        var from = 0
        while let start = MediaWikiSliceByteStream.firstPageTag(in: bytes, from: from) {
            // Back to the start of the line, so whitespace stays with the page it precedes.
            var lineStart = start
            while lineStart > 0 && bytes[lineStart - 1] == 0x20 { lineStart -= 1 }
            starts.append(lineStart)
            from = start + 1
        }
        return starts
    }

    @Test(arguments: [Compression.bzip2, .zstd])
    func multistreamDumpsAreCutBetweenPages(_ compression: Compression) throws {
        let dir = TemporaryDirectory()
        let xml = try String(contentsOfFile: Fixtures.requireShared("corpora/wiki_xml/viwiki-wikiextractor-test.xml"), encoding: .utf8)
        let compress: ([UInt8]) -> [UInt8] = compression == .bzip2 ? TestCompressors.bzip2 : { TestCompressors.zstd($0) }
        let file = Self.multistreamDump(xml, compress: compress)
        let path = dir.file("dump-multistream.xml." + (compression == .bzip2 ? "bz2" : "zst"))
        FileManager.default.createFile(atPath: path, contents: Data(file))
        let input = DiscoveredInput(path: path, format: .mediaWikiXML, compression: compression, size: Int64(file.count))
        let options = ReaderOptions(namespaces: Set(-2...20))
        let whole = try Self.documents(input, options: options)
        #expect(whole.count >= 5)
        for target in [1, 1500, 4000] as [Int64] {
            let sliced = sliceInput(input, targetBytes: target)
            #expect(sliced.slices.count > 1, "target \(target): \(sliced.note ?? "")")
            let documents = try sliced.slices.flatMap { try Self.documents($0, options: options) }
            #expect(documents.map(\.id) == whole.map(\.id))
            #expect(documents.map(\.text) == whole.map(\.text))
            #expect(documents.map(\.source) == whole.map(\.source))
        }
    }

    @Test func aSingleStreamDumpIsReadWhole() throws {
        let dir = TemporaryDirectory()
        let xml = try String(contentsOfFile: Fixtures.requireShared("corpora/wiki_xml/viwiki-wikiextractor-test.xml"), encoding: .utf8)
        let file = TestCompressors.bzip2(Array(xml.utf8))
        let path = dir.file("dump.xml.bz2")
        FileManager.default.createFile(atPath: path, contents: Data(file))
        let sliced = sliceInput(DiscoveredInput(path: path, format: .mediaWikiXML, compression: .bzip2, size: Int64(file.count)), targetBytes: 100)
        #expect(sliced.slices.count == 1 && sliced.note != nil)
    }

    // MARK: helpers

    static func slices(of input: DiscoveredInput, cuts: [Int64]) -> [DiscoveredInput] {
        let bounds = [0] + cuts + [input.size]
        return zip(bounds, bounds.dropFirst()).map { start, end in
            var slice = input
            slice.range = ByteRange(start: start, end: end)
            return slice
        }
    }

    static func documents(_ input: DiscoveredInput, options: ReaderOptions = ReaderOptions()) throws -> [Document] {
        var source = try openDocumentSource(for: input, options: options, rejects: try RejectLog())
        var documents: [Document] = []
        while let document = try source.next() { documents.append(document) }
        return documents
    }
}
