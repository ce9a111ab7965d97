import Foundation
import YiCore
import YiIO
import YiPipeline
import YiReaders
import YiShards
import YiTokenizer

/// One fuzz target per parser (docs/reliability.md, "Fuzzing"). Each takes arbitrary bytes and
/// must only ever return or throw a `YiError`: a crash, a trap (overflow, out-of-range index) or a
/// sanitizer report is a finding. Where a parser reads files, the bytes are written to a scratch
/// folder first (libFuzzer runs one input at a time in one process).
enum FuzzTargets {
    static let all: [String: (UnsafeRawBufferPointer) -> Void] = [
        "jsonl": jsonl,
        "wikitext": wikitext,
        "mediawiki": mediawiki,
        "spmodel": sentencePieceModel,
        "compressed": compressedSlicing,
        "pipeline": pipelineYAML,
        "dataset": datasetReaders,
    ]

    /// A scratch folder of this process (the fuzzer and a replay run one input at a time).
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/yi-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func write(_ bytes: some Collection<UInt8>, to name: String) -> String {
        let path = scratch + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Reads a source to its end or its first error, as the pipeline does.
    static func drain(_ source: any InputDocumentSource, limit: Int = 10_000) {
        var source = source
        var n = 0
        while n < limit, let document = try? source.next() {
            _ = document.text.utf8.count
            n += 1
        }
    }

    /// JSON lines and field paths: the first line names the text, id and source fields
    /// (`text|id|meta.source`, dotted paths allowed), the rest is the JSONL file.
    static func jsonl(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let split = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let fields = String(decoding: bytes[..<split], as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        let options = ReaderOptions(textField: fields.first.flatMap { $0.isEmpty ? nil : $0 } ?? "text",
                                    idField: fields.count > 1 && !fields[1].isEmpty ? fields[1] : "id",
                                    sourceField: fields.count > 2 ? fields[2] : "source")
        let body = Array(bytes[min(split + 1, bytes.count)...])
        let input = DiscoveredInput(path: "fuzz.jsonl", format: .jsonl, compression: .none, size: Int64(body.count))
        guard let rejects = try? RejectLog(),
              let source = try? JSONLDocumentSource(input: input, stream: MemoryByteStream(body, maximumReadSize: 997),
                                                    options: options, rejects: rejects) else { return }
        drain(source)
    }

    static func wikitext(_ data: UnsafeRawBufferPointer) {
        _ = WikitextCleaner().plainText(from: String(decoding: data, as: UTF8.self))
    }

    /// MediaWiki XML through libxml2's push parser and the page assembler, wikitext cleaned.
    static func mediawiki(_ data: UnsafeRawBufferPointer) {
        let bytes = Array(data)
        let input = DiscoveredInput(path: "fuzz.xml", format: .mediaWikiXML, compression: .none, size: Int64(bytes.count))
        guard let source = try? MediaWikiDocumentSource(input: input, stream: MemoryByteStream(bytes, maximumReadSize: 1009),
                                                        options: ReaderOptions(namespaces: [0, 1, 10])) else { return }
        drain(source)
    }

    /// The SentencePiece model reader; a model that loads must encode and decode.
    static func sentencePieceModel(_ data: UnsafeRawBufferPointer) {
        guard let model = try? SentencePieceModel(bytes: Array(data)) else { return }
        let encoder = SentencePieceEncoder(model: model)
        let ids = encoder.encode("Hello, world! 你好 ▁ \u{0}\u{FFFD} éé  tabs\t\nnew")
        for id in ids { precondition(Int(id) < model.vocabularySize, "id \(id) outside the vocabulary") }
        _ = encoder.decode(ids)
    }

    /// zstd/gzip/bzip2 streams and the slicing of files into parts: the first byte picks the
    /// compression and the cut size, the rest is the file. Every slice is read as the pipeline
    /// reads it (see below for the limits).
    static func compressedSlicing(_ data: UnsafeRawBufferPointer) {
        guard let selector = data.first else { return }
        let compression: Compression = [.zstd, .gzip, .bzip2, .none][Int(selector & 3)]
        let format: InputFormat = selector & 4 == 0 ? .jsonl : .mediaWikiXML
        let body = Array(data.dropFirst())
        let path = write(body, to: "input")
        let whole = DiscoveredInput(path: path, format: format, compression: compression, size: Int64(body.count))
        // Decoding is fuzzed up to 1 MiB of output; slicing and reading only for inputs that decode
        // to at most 64 KiB (a 2 KB bzip2 "bomb" of a million blank lines took half a second per
        // run under AddressSanitizer, and the fuzzer kept mutating such inputs: reading them
        // teaches nothing new, `regressions/compressed/` keeps one).
        var decoded = 0
        if let stream = try? openByteStream(path: path, compression: compression) {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while decoded < 1 << 20, let n = try? buffer.withUnsafeMutableBytes({ try stream.read(into: $0) }), n > 0 { decoded += n }
        }
        if compression == .zstd, let walker = try? ZstdFrameWalker(path: path) {
            while let frame = try? walker.next() { _ = frame }
        }
        guard decoded <= 64 << 10 else { return }
        // At most about eight cuts: each cut point may decode a stream to prove it, and a
        // 16 KB input cut every byte would spend the fuzzer's time on repeats of the same check.
        let sliced = sliceInput(whole, targetBytes: Int64(max(1 + Int(selector >> 3) * 16, body.count / 8)))
        guard let rejects = try? RejectLog() else { return }
        for slice in sliced.slices.prefix(8) {
            guard let source = try? openDocumentSource(for: slice, options: ReaderOptions(), rejects: rejects) else { continue }
            drain(source, limit: 1000)
        }
    }

    /// The pipeline YAML reader (Yams, then our schema); no file it names is opened.
    static func pipelineYAML(_ data: UnsafeRawBufferPointer) {
        let path = write(data, to: "pipeline.yaml")
        _ = try? PipelineFile.load(path: path, resolveTokenizer: { $0 ?? "tokenizer.model" })
    }

    /// `.idx`, `.docs`, `.bin` and `manifest.json` as `verify`, `stats` and `inspect` read them. The
    /// input is `[u32 idx size][u32 docs size][u32 bin size]` then the three files, then the manifest.
    static func datasetReaders(_ data: UnsafeRawBufferPointer) {
        var bytes = Array(data)[...]
        func take(_ n: Int) -> ArraySlice<UInt8> {
            defer { bytes = bytes.dropFirst(n) }
            return bytes.prefix(n)
        }
        func size() -> Int { take(4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) } & 0xFFFFF }
        let (idxSize, docsSize, binSize) = (size(), size(), size())
        let bucket = scratch + "/out/len-256"
        try? FileManager.default.removeItem(atPath: scratch + "/out")
        try? FileManager.default.createDirectory(atPath: bucket, withIntermediateDirectories: true)
        _ = write(take(idxSize), to: "out/len-256/shard-00000-00000.idx")
        _ = write(take(docsSize), to: "out/len-256/shard-00000-00000.docs")
        _ = write(take(binSize), to: "out/len-256/shard-00000-00000.bin")
        if !bytes.isEmpty { _ = write(bytes, to: "out/manifest.json") }
        let out = scratch + "/out"
        _ = try? DatasetVerifier.verify(path: out)
        if let layout = try? DatasetLayout.resolve(out) {
            _ = try? StatsCollector.collect(layout: layout)
            for bucket in layout.buckets {
                guard let reader = try? BucketReader(bucket: bucket) else { continue }
                for n in 0..<min(reader.sequenceCount, 4) { _ = try? reader.sequence(n) }
            }
        }
    }
}
