import Foundation
import Testing
import YiReaders

/// Prints the cleaner's throughput on the real test pages; asserts nothing about speed (a test
/// cannot: machines differ). Meaningful only in release:
///   swift test -c release --filter WikitextSpeed
/// `YI_WIKITEXT_SPEED_ITERATIONS` (default 3) sets how many passes over the pages are timed.
@Suite struct WikitextSpeed {
    @Test func printThroughput() {
        let iterations = Int(ProcessInfo.processInfo.environment["YI_WIKITEXT_SPEED_ITERATIONS"] ?? "") ?? 3
        var seen = Set<String>()
        let pages = WikitextTestPages.all.map(\.wikitext).filter { seen.insert($0).inserted }
        let megabytes = Double(pages.reduce(0) { $0 + $1.utf8.count }) / 1e6
        let throughput = WikitextCleaner.benchmark(pages: pages, iterations: iterations)
        print(String(format: "WikitextSpeed: %.1f MB/s over %d distinct pages (%.2f MB) x %d iterations",
                     throughput, pages.count, megabytes, iterations))
        #expect(throughput > 0)
    }
}
