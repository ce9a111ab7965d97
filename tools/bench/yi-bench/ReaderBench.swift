#if canImport(Glibc)
import Glibc
#endif
import YiCore
import YiIO
import YiReaders

/// `yi-bench readers [--input PATH...] [--target-mb N] [--repeat R] [--stage S]`
///
/// Reader throughput on one core, from memory (so the disk does not count):
/// - JSONL: the inputs' JSONL, replicated to about `--target-mb` decompressed megabytes. `.zst`
///   inputs are replicated as compressed frames (zstd frames concatenate), so the zstd decoder
///   runs for real; the stages are also timed alone (decompress only, split lines only).
/// - MediaWiki XML: each dump's pages repeated inside one `<mediawiki>` to the same size, read
///   raw and with wikitext cleaning.
/// MB/s count decompressed bytes, 10^6 per MB; "cpu" figures use the thread's CPU time, which a
/// busy shared machine disturbs less than wall time. Best of `--repeat` runs. `--stage` (one of
/// decompress, lines, records, xml) runs one measurement alone, for profiling.
enum ReaderBench {
    static func run(_ arguments: [String]) throws {
        var inputs: [String] = []
        var targetMB = 128
        var repeats = 3
        var stage: String?
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case "--input":
                index += 1
                while index < arguments.count, !arguments[index].hasPrefix("--") {
                    inputs.append(arguments[index])
                    index += 1
                }
                continue
            case "--target-mb": index += 1; targetMB = Int(arguments[index]) ?? targetMB
            case "--repeat": index += 1; repeats = max(1, Int(arguments[index]) ?? repeats)
            case "--stage": index += 1; stage = arguments[index]
            default: throw YiError(.usage, "unknown option \(arguments[index]) (use --input PATH..., --target-mb N, --repeat R, --stage S)")
            }
            index += 1
        }
        if inputs.isEmpty {
            inputs = ["../shared/corpora/jsonl_zst", "../shared/corpora/wiki_xml"]
        }
        let discovery = try discoverInputs(inputs)
        let targetBytes = targetMB * 1_000_000
        print("yi-bench readers: \(discovery.inputs.count) inputs, target \(targetMB) MB decompressed, best of \(repeats), 1 thread")

        let jsonl = discovery.inputs.filter { $0.format == .jsonl }
        if !jsonl.isEmpty && stage != "xml" { try benchJSONL(jsonl, targetBytes: targetBytes, repeats: repeats, stage: stage) }
        let xml = discovery.inputs.filter { $0.format == .mediaWikiXML && $0.compression == .none }
        if !xml.isEmpty && (stage == nil || stage == "xml") { try benchXML(xml, targetBytes: targetBytes, repeats: repeats) }
    }

    // MARK: JSONL

    private static func benchJSONL(_ inputs: [DiscoveredInput], targetBytes: Int, repeats: Int, stage: String?) throws {
        for compression in [Compression.zstd, .none] {
            let group = inputs.filter { $0.compression == compression }
            guard !group.isEmpty else { continue }
            var unit: [UInt8] = []
            var unitDecompressed = 0
            for input in group {
                let raw = try FileByteStream(path: input.path).readAll()
                unit += raw
                unitDecompressed += try decompressing(MemoryByteStream(raw), compression).readAll().count
            }
            let copies = max(1, (targetBytes + unitDecompressed - 1) / unitDecompressed)
            var data: [UInt8] = []
            data.reserveCapacity(unit.count * copies)
            for _ in 0..<copies { data += unit }
            let decompressedBytes = unitDecompressed * copies
            let label = compression == .zstd ? "jsonl.zst" : "jsonl"
            print("\n\(label): \(group.count) files x \(copies) = \(mb(decompressedBytes)) MB decompressed (\(mb(data.count)) MB as stored)")

            if compression != .none && (stage == nil || stage == "decompress") {
                let t = try best(repeats) {
                    let stream = try decompressing(MemoryByteStream(data), compression)
                    var buffer = [UInt8](repeating: 0, count: 1 << 20)
                    var total = 0
                    while true {
                        let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
                        if n == 0 { break }
                        total += n
                    }
                    return (total, 0)
                }
                report("  decompress only", t, bytes: decompressedBytes)
            }
            if stage == nil || stage == "lines" {
            let lines = try best(repeats) {
                let reader = LineReader(stream: try decompressing(MemoryByteStream(data), compression))
                var count = 0
                while try reader.next() != nil { count += 1 }
                return (Int(reader.bytesRead), count)
            }
            report("  + split lines", lines, bytes: decompressedBytes, unit: "lines")
            }
            guard stage == nil || stage == "records" else { continue }
            let full = try best(repeats) {
                let input = DiscoveredInput(path: "bench.\(label)", format: .jsonl, compression: compression, size: Int64(data.count))
                let source = try JSONLDocumentSource(input: input, stream: decompressing(MemoryByteStream(data), compression),
                                                     options: ReaderOptions(), rejects: try RejectLog())
                var documents = 0
                var textBytes = 0
                while let document = try source.next() {
                    documents += 1
                    textBytes += document.text.utf8.count
                }
                precondition(textBytes > 0)
                return (Int(source.decompressedBytesRead), documents)
            }
            report("  + parse records (end to end)", full, bytes: decompressedBytes, unit: "docs")
        }
    }

    // MARK: MediaWiki XML

    private static func benchXML(_ inputs: [DiscoveredInput], targetBytes: Int, repeats: Int) throws {
        var header: [UInt8]?
        var pages: [UInt8] = []
        for input in inputs {
            let bytes = try FileByteStream(path: input.path).readAll()
            guard let first = find(Array("<page>".utf8), in: bytes, from: 0),
                  let last = findLast(Array("</page>".utf8), in: bytes) else { continue }
            if header == nil { header = Array(bytes[..<first]) }
            pages += bytes[first..<(last + 7)] + [0x0A]
        }
        guard let header, !pages.isEmpty else { return }
        let copies = max(1, (targetBytes + pages.count - 1) / pages.count)
        var data = header
        data.reserveCapacity(header.count + pages.count * copies + 20)
        for _ in 0..<copies { data += pages }
        data += Array("</mediawiki>\n".utf8)
        print("\nmediawiki xml: pages of \(inputs.count) dumps x \(copies) under one root = \(mb(data.count)) MB")
        for mode in [WikitextMode.raw, .plain] {
            let t = try best(repeats) {
                let input = DiscoveredInput(path: "bench.xml", format: .mediaWikiXML, compression: .none, size: Int64(data.count))
                let source = try MediaWikiDocumentSource(input: input, stream: MemoryByteStream(data),
                                                         options: ReaderOptions(namespaces: Set(-2...15), wikitext: mode))
                var documents = 0
                while try source.next() != nil { documents += 1 }
                return (Int(source.decompressedBytesRead), documents)
            }
            let note = mode == .plain ? " (WikitextCleaner as built today)" : ""
            report("  \(mode == .raw ? "raw wikitext" : "with cleaning")\(note)", t, bytes: data.count, unit: "pages")
        }
    }

    // MARK: Timing

    struct Timing {
        var wall: Double
        var cpu: Double
        var items: Int
    }

    /// Runs `body` `repeats` times, keeping the fastest by CPU time. `body` returns (bytes, items).
    private static func best(_ repeats: Int, _ body: () throws -> (Int, Int)) throws -> Timing {
        var result: Timing?
        for _ in 0..<repeats {
            let wall0 = now(CLOCK_MONOTONIC), cpu0 = now(CLOCK_THREAD_CPUTIME_ID)
            let (_, items) = try body()
            let timing = Timing(wall: now(CLOCK_MONOTONIC) - wall0, cpu: now(CLOCK_THREAD_CPUTIME_ID) - cpu0, items: items)
            if result == nil || timing.cpu < result!.cpu { result = timing }
        }
        return result!
    }

    private static func report(_ label: String, _ t: Timing, bytes: Int, unit: String? = nil) {
        var line = label.padding(to: 46) + "\(format(Double(bytes) / 1e6 / t.cpu)) MB/s cpu, \(format(Double(bytes) / 1e6 / t.wall)) MB/s wall"
        if let unit { line += ", \(format(Double(t.items) / t.cpu)) \(unit)/s (\(t.items) \(unit))" }
        print(line)
    }

    private static func now(_ clock: clockid_t) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private static func mb(_ bytes: Int) -> String { format(Double(bytes) / 1e6) }

    private static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded >= 1000 ? String(Int(rounded)) : String(rounded)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    private static func findLast(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        var i = haystack.count - needle.count
        while i >= 0 {
            if haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i -= 1
        }
        return nil
    }
}

private extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
