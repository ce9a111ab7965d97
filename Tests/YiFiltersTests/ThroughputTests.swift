import Foundation
import Testing
import YiCore
@testable import YiFilters

/// Throughput of each filter on the real corpus (English, Chinese, code). A measurement, not a
/// check: it runs only with `YI_BENCH=1`, and is meaningful only in a release build:
/// `YI_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter ThroughputTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["YI_BENCH"] == "1"))
struct ThroughputTests {
    static let documents = RealCorpus.documents.map(\.document)
    static let bytes = documents.reduce(0) { $0 + $1.text.utf8.count }

    /// Seconds of CPU time of this thread: on a shared machine, wall time also counts the
    /// other processes' turns.
    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    func measure(_ name: String, minimumBytes: Int = 100_000_000, lang: String? = nil, _ body: (Document) -> Void) {
        let documents = lang.map { lang in RealCorpus.documents.filter { $0.lang == lang }.map(\.document) } ?? Self.documents
        let bytes = documents.reduce(0) { $0 + $1.text.utf8.count }
        var processed = 0
        let wallStart = DispatchTime.now().uptimeNanoseconds
        let cpuStart = Self.threadCPUTime()
        while processed < minimumBytes {
            for document in documents { body(document) }
            processed += bytes
        }
        let cpu = Self.threadCPUTime() - cpuStart
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        print(String(format: "THROUGHPUT %-20@ %8.1f MB/s of CPU time (%d MB in %.2f s CPU, %.2f s wall)",
                     name as NSString, Double(processed) / 1e6 / cpu, processed / 1_000_000, cpu, wall))
    }

    @Test func filters() {
        var analyzer = TextAnalyzer()
        measure("analyzer (no tokens)") { _ = analyzer.analyze($0.text, keepTokens: false) }
        measure("analyzer") { _ = analyzer.analyze($0.text) }
        var quality = GopherQualityFilter()
        measure("gopher-quality") { _ = quality.verdict(for: $0) }
        var repetition = GopherRepetitionFilter()
        measure("gopher-repetition") { _ = repetition.verdict(for: $0) }
        var gopher = GopherFilter()
        measure("gopher") { _ = gopher.verdict(for: $0) }
        measure("gopher (en docs)", lang: "en") { _ = gopher.verdict(for: $0) }
        measure("gopher (zh docs)", lang: "zh") { _ = gopher.verdict(for: $0) }
        var keepAll = GopherFilter(quality: GopherQualityOptions(spaced: .none, unspaced: .none),
                                   repetition: GopherRepetitionOptions())
        measure("gopher, all rules run", minimumBytes: 50_000_000) { _ = keepAll.verdict(for: $0) }
        var script = ScriptFilter(allowed: [.han, .latin])
        measure("script") { _ = script.verdict(for: $0) }
        var length = CharacterLengthFilter(minCharacters: 100, maxCharacters: 1_000_000)
        measure("length") { _ = length.verdict(for: $0) }
        let exact = ExactDeduplicator()
        measure("exact-dedup", minimumBytes: 30_000_000) { _ = exact.verdict(for: $0) }
        let near = NearDeduplicator()
        measure("near-dedup", minimumBytes: 30_000_000) { _ = near.verdict(for: $0) }
    }
}

extension GopherQualityThresholds {
    /// Every check off (so the measurement runs the repetition rules on every document).
    static let none = GopherQualityThresholds(
        minWords: nil, maxWords: nil, minMeanWordLength: nil, maxMeanWordLength: nil, maxSymbolWordRatio: nil,
        maxBulletLineFraction: nil, maxEllipsisLineFraction: nil, minAlphabeticWordFraction: nil, minStopWords: nil,
        stopWords: [])
}
