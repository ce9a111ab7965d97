import Foundation
import Testing
import YiCore
import YiTestSupport
@testable import YiShards

/// Renders the stats of a dataset with realistic, skewed document lengths. With
/// `YI_STATS_REPORT_OUT=/some/dir` the HTML, terminal and JSON renderings are also written there
/// (tools/report/screenshot.sh uses this to look at the HTML in a headless browser).
@Suite struct ReportTests {
    /// Log-uniform lengths (many short documents, a tail of long ones), three sources.
    static func skewedDocuments(count: Int, maxLength: Int, sources: Int? = nil) -> [TestDocument] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { ordinal in
            let length = max(2, Int(pow(Double(maxLength), unit())))
            let tokens = (0..<length - 1).map { _ in TokenID(3 + Int(unit() * 63_000)) } + [TestDataset.eos]
            let source = sources.map { Int(unit() * unit() * Double($0)) } ?? (unit() < 0.5 ? 1 : (unit() < 0.6 ? 2 : 0))
            return TestDocument(ordinal: ordinal, tokens: tokens, source: source)
        }
    }

    @Test func reportOfASkewedDataset() throws {
        let dir = TemporaryDirectory()
        let documents = Self.skewedDocuments(count: 600, maxLength: 3_000)
        try TestDataset(directory: dir.path, documents: documents, lengths: [256, 1_024], shardTokens: 64 * 1_024)
        let stats = try StatsCollector.collect(path: dir.path)
        #expect(stats.total.documents == documents.count)
        #expect(stats.buckets[1].splitDocuments > 0)

        let html = StatsHTML.render(stats)
        let terminal = StatsTerminal.render(stats, width: 100)
        let json = StatsJSON.string(stats)
        for bucket in stats.buckets {
            #expect(html.contains("<h2>\(bucket.name)</h2>"))
            #expect(terminal.contains("Document length (tokens), \(bucket.name)"))
        }
        for source in stats.sources { #expect(html.contains(source.name) && terminal.contains(source.name)) }
        #expect(html.contains(Numbers.percent(stats.buckets[0].fillRatio, 3)))
        if let out = ProcessInfo.processInfo.environment["YI_STATS_REPORT_OUT"], !out.isEmpty {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFileWriter.write(html, to: joinPath(out, "report.html"))
            try AtomicFileWriter.write(terminal, to: joinPath(out, "report.txt"))
            try AtomicFileWriter.write(json, to: joinPath(out, "report.json"))
        }
    }

    /// 23 sources (some with long names), four buckets, sequences of many short documents and a
    /// damaged input: the report stays readable (binned charts, distinct colours, full names,
    /// aligned columns) and shows the damage everywhere.
    @Test func reportWithManySourcesAndBuckets() throws {
        let dir = TemporaryDirectory()
        let names = (0..<23).map { i in
            i % 7 == 3 ? "wikipedia-\(i)-latest-pages-articles-multistream-index" : "source-\(i)"
        }
        let damaged = JSONValue.array([.object([("path", .string("corpus/part-7.jsonl.zst")), ("byte_offset", .int(123_456)),
                                                ("message", .string("zstd: truncated frame"))])])
        let documents = Self.skewedDocuments(count: 1_500, maxLength: 30_000, sources: names.count)
        try TestDataset(directory: dir.path, documents: documents, lengths: [2_048, 4_096, 8_192, 16_384], shardTokens: 256 * 1_024,
                        sourceNames: names, extra: [("damaged_files", damaged)])
        let stats = try StatsCollector.collect(path: dir.path)
        #expect(stats.damagedFiles == [DamagedFile(path: "corpus/part-7.jsonl.zst", byteOffset: 123_456, message: "zstd: truncated frame")])
        #expect(stats.sources.count > StatsHTML.maxChartSources)

        let html = StatsHTML.render(stats)
        // Every chart fits the page (max-width 1100 px), however many documents a sequence holds.
        let widths = html.components(separatedBy: "<svg ").dropFirst().compactMap { chunk -> Int? in
            guard let range = chunk.range(of: "width=\"") else { return nil }
            return Int(chunk[range.upperBound...].prefix { $0.isNumber })
        }
        #expect(!widths.isEmpty && widths.allSatisfy { $0 <= 1_000 }, "\(widths)")
        let perSequence = stats.buckets[0].documentsPerSequence
        #expect(perSequence.last!.value - perSequence.first!.value + 1 > StatsHTML.maxHistogramBars, "the test must need binning")
        // The source chart: at most 12 entries, each its own colour, the rest grouped.
        let chart = StatsHTML.sourceChart(stats)
        let fills = chart.components(separatedBy: "<rect x=\"0\"").dropFirst().compactMap { chunk -> String? in
            guard let range = chunk.range(of: "fill=\"") else { return nil }
            return String(chunk[range.upperBound...].prefix { $0 != "\"" })
        }
        #expect(fills.count == StatsHTML.maxChartSources && Set(fills).count == fills.count, "\(fills)")
        #expect(chart.contains("other (\(stats.sources.count - StatsHTML.maxChartSources + 1) sources)"))
        #expect(html.contains("corpus/part-7.jsonl.zst") && html.contains("zstd: truncated frame"))

        for width in [80, 140] {
            let terminal = StatsTerminal.render(stats, width: width)
            for name in names where stats.sources.contains(where: { $0.name == name }) {
                #expect(terminal.contains("  \(name)"), "name cut: \(name)")
            }
            #expect(terminal.contains("corpus/part-7.jsonl.zst at byte 123,456: zstd: truncated frame"))
            // Source rows: numbers right-aligned to the same column.
            let lines = terminal.split(separator: "\n").map(String.init)
            let start = lines.firstIndex { $0.hasPrefix("Sources (") }! + 1
            let table = lines[start...].prefix { $0.hasPrefix("  ") }
            if width == 140 {
                #expect(Set(table.map(\.count)).count == 1, "ragged rows:\n\(table.joined(separator: "\n"))")
            }
            for line in lines where !line.hasPrefix("Dataset ") && !line.hasPrefix("  - ") {
                #expect(line.count <= width || names.contains(line.trimmingCharacters(in: .whitespaces)), "too wide: \(line)")
            }
        }
        let json = StatsJSON.string(stats)
        #expect(json.contains("\"damaged_files\"") && json.contains("\"min_document_tokens\": 4096"))
        if let out = ProcessInfo.processInfo.environment["YI_STATS_REPORT_OUT"], !out.isEmpty {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try AtomicFileWriter.write(html, to: joinPath(out, "many-sources.html"))
            try AtomicFileWriter.write(StatsTerminal.render(stats, width: 100), to: joinPath(out, "many-sources.txt"))
        }
    }
}
