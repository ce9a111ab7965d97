import Foundation
import Testing
import YiReaders

/// Hook for tools/wikitext/compare_strip_code.py: with `YI_WIKITEXT_DUMP_DIR` set, writes every
/// real test page's wikitext (`KEY.wiki`), our plain text (`KEY.txt`) and `index.tsv`
/// (key, source, title) there. `YI_WIKITEXT_DUMP_EXTRA_XML` (paths separated by `:`) adds the
/// pages of more UTF-8 dump files, keyed `extra-<stem>-<n>`. Without the directory the test is
/// skipped; it checks nothing by itself.
@Suite struct WikitextDump {
    static let directory = ProcessInfo.processInfo.environment["YI_WIKITEXT_DUMP_DIR"] ?? ""

    @Test(.enabled(if: !directory.isEmpty, "set YI_WIKITEXT_DUMP_DIR to write the dump"))
    func writeOutputs() throws {
        let directory = URL(fileURLWithPath: Self.directory, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cleaner = WikitextCleaner()
        let extraFiles = (ProcessInfo.processInfo.environment["YI_WIKITEXT_DUMP_EXTRA_XML"] ?? "")
            .split(separator: ":").map(String.init)
        let extraPages = extraFiles.flatMap { WikitextTestPages.pages(inXMLFile: $0, keyPrefix: "extra", source: $0) }
        var index = ""
        for page in WikitextTestPages.all + extraPages {
            try page.wikitext.write(to: directory.appendingPathComponent(page.key + ".wiki"), atomically: true, encoding: .utf8)
            try cleaner.plainText(from: page.wikitext)
                .write(to: directory.appendingPathComponent(page.key + ".txt"), atomically: true, encoding: .utf8)
            let title = page.title.replacingOccurrences(of: "\t", with: " ")
            index += "\(page.key)\t\(page.source)\t\(title)\n"
        }
        try index.write(to: directory.appendingPathComponent("index.tsv"), atomically: true, encoding: .utf8)
        #expect(!WikitextTestPages.all.isEmpty)
    }
}
