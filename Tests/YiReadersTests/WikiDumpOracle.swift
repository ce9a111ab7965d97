import Foundation
import YiTestSupport

/// What a MediaWiki XML file holds, read with plain string searches (no XML parser), so the reader
/// is checked against the file itself rather than against a second copy of its own logic.
struct WikiDumpOracle {
    struct Page {
        var title: String
        var namespace: Int
        var id: String?
        var isRedirect: Bool
        /// The newest revision's text (entities decoded); nil when it has no text.
        var text: String?

        var isArticleWithText: Bool {
            namespace == 0 && !isRedirect && !(text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        }
    }

    var pages: [Page] = []
    var dbName: String?

    init(path: String) {
        let xml = try! String(contentsOfFile: path, encoding: .utf8)
        dbName = Self.first("<dbname>", "</dbname>", in: Substring(xml)).map(String.init)
        var rest = Substring(xml)
        while let start = rest.range(of: "<page>") {
            guard let end = rest.range(of: "</page>", range: start.upperBound..<rest.endIndex) else { break }
            pages.append(Self.page(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
    }

    /// Pages that a default reader (namespace 0, no redirects, text present) turns into documents.
    var articles: [Page] { pages.filter(\.isArticleWithText) }

    private static let namespacePrefixes = ["Talk": 1, "User": 2, "Wikipedia": 4, "File": 6, "Template": 10, "Category": 14]

    private static func page(_ block: Substring) -> Page {
        let title = decode(first("<title>", "</title>", in: block) ?? "")
        let ns = first("<ns>", "</ns>", in: block).flatMap { Int($0) }
            ?? title.split(separator: ":").first.flatMap { namespacePrefixes[String($0)] } ?? 0
        let header = block.range(of: "<revision>").map { block[..<$0.lowerBound] } ?? block
        let id = first("<id>", "</id>", in: header).map(String.init)
        // Revisions: the newest by timestamp (later position on ties).
        var newest: (timestamp: String, text: String?)?
        for revision in block.components(separatedBy: "<revision>").dropFirst() {
            let r = Substring(revision)
            let timestamp = first("<timestamp>", "</timestamp>", in: r).map(String.init) ?? ""
            if let current = newest, timestamp < current.timestamp { continue }
            newest = (timestamp, revisionText(r))
        }
        let text = newest?.text
        let redirect = block.contains("<redirect")
            || (text?.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("#redirect") ?? false)
        return Page(title: title, namespace: ns, id: id, isRedirect: redirect, text: text)
    }

    private static func revisionText(_ revision: Substring) -> String? {
        guard let open = revision.range(of: "<text") else { return nil }
        guard let close = revision.range(of: ">", range: open.upperBound..<revision.endIndex) else { return nil }
        if revision[revision.index(before: close.lowerBound)] == "/" { return "" }
        guard let end = revision.range(of: "</text>", range: close.upperBound..<revision.endIndex) else { return nil }
        return decode(withoutComments(revision[close.upperBound..<end.lowerBound]))
    }

    /// XML comments are markup, not character data (hand-assembled dumps have literal ones).
    private static func withoutComments(_ text: Substring) -> Substring {
        var out = ""
        var rest = text
        while let open = rest.range(of: "<!--"), let close = rest.range(of: "-->", range: open.upperBound..<rest.endIndex) {
            out += rest[..<open.lowerBound]
            rest = rest[close.upperBound...]
        }
        return Substring(out + rest)
    }

    private static func first(_ open: String, _ close: String, in text: Substring) -> Substring? {
        guard let a = text.range(of: open), let b = text.range(of: close, range: a.upperBound..<text.endIndex) else { return nil }
        return text[a.upperBound..<b.lowerBound]
    }

    /// XML's predefined entities and character references.
    static func decode(_ text: Substring) -> String {
        var out = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { break }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                if name.hasPrefix("#x"), let v = UInt32(name.dropFirst(2), radix: 16), let s = Unicode.Scalar(v) {
                    out.unicodeScalars.append(s)
                } else if name.hasPrefix("#"), let v = UInt32(name.dropFirst()), let s = Unicode.Scalar(v) {
                    out.unicodeScalars.append(s)
                } else {
                    out += rest[amp...semi]
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        out += rest
        // XML normalises line ends to \n.
        return out.replacingOccurrences(of: "\r\n", with: "\n")
    }
}
