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
    static func skewedDocuments(count: Int, maxLength: Int) -> [TestDocument] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        return (0..<count).map { ordinal in
            let length = max(2, Int(pow(Double(maxLength), unit())))
            let tokens = (0..<length - 1).map { _ in TokenID(3 + Int(unit() * 63_000)) } + [TestDataset.eos]
            let source = unit() < 0.5 ? 1 : (unit() < 0.6 ? 2 : 0)
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
}
