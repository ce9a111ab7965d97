import Foundation

/// Turns MediaWiki wikitext into clean plain text: the text a reader of the rendered page sees,
/// without templates, tables, references, comments, media and category links, and without
/// bold/italic, heading and list markup. Headings stay on their own lines and paragraphs stay
/// separated by blank lines.
///
/// One linear pass over the UTF-8 bytes (see `WikitextScanner` for the rules, including what
/// happens to unbalanced markup). Close to mwparserfromhell's `strip_code()` where that is
/// sensible; the differences are listed in tools/wikitext/README.md.
public struct WikitextCleaner: Sendable {
    public let options: Options

    public init() {
        self.init(options: Options())
    }

    public init(options: Options) {
        self.options = options
    }

    public func plainText(from wikitext: String) -> String {
        var text = wikitext
        return text.withUTF8 { bytes in
            var scanner = WikitextScanner(input: bytes, options: options)
            defer { scanner.deallocate() }
            scanner.run()
            return scanner.output.makeString()
        }
    }

    /// Cleans `pages` `iterations` times and returns the throughput in MB/s (10^6 bytes of input
    /// wikitext per second). For release-mode measurements; see tools/wikitext/README.md.
    public static func benchmark(pages: [String], iterations: Int, options: Options = Options()) -> Double {
        let cleaner = WikitextCleaner(options: options)
        let bytesPerIteration = pages.reduce(0) { $0 + $1.utf8.count }
        var produced = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<max(iterations, 1) {
            for page in pages { produced &+= cleaner.plainText(from: page).utf8.count }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Keeps the work observable so the optimizer cannot drop it.
        if produced == Int.min { print(produced) }
        return Double(bytesPerIteration * max(iterations, 1)) / 1e6 / max(seconds, 1e-9)
    }
}
