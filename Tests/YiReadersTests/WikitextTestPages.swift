import Foundation
import YiTestSupport

/// Real wikitext for the cleaner's tests: every `<page>` of `../shared/corpora/wiki_xml/*.xml`
/// and every `kind: wikitext` document of `../shared/corpora/jsonl/corpus.jsonl`.
///
/// The XML is read with a plain scan for `<title>` and `<text>` (these fixtures are small and
/// well formed; the real reader is libxml2-based and lives elsewhere), so the cleaner's tests
/// do not depend on it.
struct WikitextTestPage: Sendable {
    /// Stable and file-name safe: `xml-<file stem>-<page number>` or `jsonl-<line number>`.
    var key: String
    var source: String
    var title: String
    var wikitext: String
}

enum WikitextTestPages {
    static let all: [WikitextTestPage] = xmlPages() + jsonlPages()

    static func page(titled title: String, in sourcePrefix: String) -> WikitextTestPage {
        guard let page = all.first(where: { $0.title == title && $0.source.hasPrefix(sourcePrefix) }) else {
            preconditionFailure("no test page \(title) in \(sourcePrefix)")
        }
        return page
    }

    static func xmlPages() -> [WikitextTestPage] {
        let directory = Fixtures.requireShared("corpora/wiki_xml")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return files.sorted().filter { $0.hasSuffix(".xml") }.flatMap { file in
            pages(inXMLFile: directory + "/" + file, keyPrefix: "xml", source: "wiki_xml/\(file)")
        }
    }

    /// The pages of one UTF-8 MediaWiki XML file, keyed `<keyPrefix>-<file stem>-<page number>`.
    static func pages(inXMLFile path: String, keyPrefix: String, source: String) -> [WikitextTestPage] {
        let xml = try! String(contentsOfFile: path, encoding: .utf8)
        let file = URL(fileURLWithPath: path).lastPathComponent
        let stem = file.hasSuffix(".xml") ? String(file.dropLast(4)) : file
        return elements("page", in: xml).enumerated().map { index, page in
            let title = elements("title", in: page).first.map(xmlUnescaped) ?? ""
            let text = elements("text", in: page).first.map { xmlUnescaped(withoutXMLComments($0)) } ?? ""
            return WikitextTestPage(key: "\(keyPrefix)-\(stem)-\(String(format: "%03d", index + 1))",
                                    source: source, title: title, wikitext: text)
        }
    }

    static func jsonlPages() -> [WikitextTestPage] {
        let path = Fixtures.requireShared("corpora/jsonl/corpus.jsonl")
        let lines = try! String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var pages: [WikitextTestPage] = []
        for (index, line) in lines.enumerated() where !line.isEmpty {
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let meta = record["meta"] as? [String: Any], meta["kind"] as? String == "wikitext",
                  let text = record["text"] as? String else { continue }
            pages.append(WikitextTestPage(key: "jsonl-\(String(format: "%04d", index + 1))",
                                          source: "jsonl/corpus.jsonl:\(record["id"] as? String ?? "")",
                                          title: meta["title"] as? String ?? "", wikitext: text))
        }
        return pages
    }

    /// The contents of each `<name …>…</name>` element (empty for `<name/>`), in order.
    static func elements(_ name: String, in xml: String) -> [String] {
        var results: [String] = []
        var rest = xml[...]
        while let open = rest.range(of: "<\(name)") {
            let afterName = rest[open.upperBound...]
            guard let next = afterName.first, next == ">" || next == " " || next == "/",
                  let tagEnd = afterName.firstIndex(of: ">") else {
                rest = afterName
                continue
            }
            if tagEnd > afterName.startIndex && afterName[afterName.index(before: tagEnd)] == "/" {
                results.append("")
                rest = afterName[afterName.index(after: tagEnd)...]
                continue
            }
            let content = afterName[afterName.index(after: tagEnd)...]
            guard let close = content.range(of: "</\(name)>") else { break }
            results.append(String(content[..<close.lowerBound]))
            rest = content[close.upperBound...]
        }
        return results
    }

    /// Raw `<!-- -->` inside an element is an XML comment, not text (a wikitext comment in a
    /// dump is escaped as `&lt;!--`).
    static func withoutXMLComments(_ xml: String) -> String {
        var result = ""
        var rest = xml[...]
        while let open = rest.range(of: "<!--") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "-->") else { return result }
            rest = rest[close.upperBound...]
        }
        return result + rest
    }

    /// XML's predefined entities and character references.
    static func xmlUnescaped(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = text[...]
        while let ampersand = rest.firstIndex(of: "&") {
            result += rest[..<ampersand]
            let tail = rest[ampersand...]
            guard let semicolon = tail.firstIndex(of: ";"), tail.distance(from: ampersand, to: semicolon) <= 10 else {
                result += "&"
                rest = rest[rest.index(after: ampersand)...]
                continue
            }
            let name = tail[tail.index(after: ampersand)..<semicolon]
            let replacement: String?
            switch name {
            case "lt": replacement = "<"
            case "gt": replacement = ">"
            case "amp": replacement = "&"
            case "quot": replacement = "\""
            case "apos": replacement = "'"
            default:
                if name.hasPrefix("#x"), let value = UInt32(name.dropFirst(2), radix: 16) {
                    replacement = Unicode.Scalar(value).map { String(Character($0)) }
                } else if name.hasPrefix("#"), let value = UInt32(name.dropFirst()) {
                    replacement = Unicode.Scalar(value).map { String(Character($0)) }
                } else {
                    replacement = nil
                }
            }
            if let replacement {
                result += replacement
                rest = tail[tail.index(after: semicolon)...]
            } else {
                result += "&"
                rest = rest[rest.index(after: ampersand)...]
            }
        }
        return result + rest
    }
}
