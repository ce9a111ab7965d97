/// A source name for documents whose record does not name one, derived from the file path:
/// the file name without format/compression extensions and shard numbering, so every shard of a
/// set gets the same name (`c4-train.00007-of-01024.json.gz` → `c4-train`,
/// `arxiv_023.jsonl.zst` → `arxiv`, `enwiki-latest-pages-articles1.xml-p1p41242.bz2` →
/// `enwiki-latest-pages-articles`). Digits joined to the name are part of it (`books2024`,
/// `qwen2`, `corpus-v1` stay as they are, so `wiki2023` and `wiki2024` stay apart); only digits
/// after a separator (`_023`, `-7`, `.00007-of-01024`) are shard numbering, and the digits
/// before a Wikipedia split-dump suffix (`articles1.xml-p…`). A name that is only digits
/// (`pile/train/00.jsonl.zst`) is replaced by its folder's name (`train`).
public func derivedSourceName(forPath path: String) -> String {
    let components = path.split(separator: "/").map(String.init)
    let (stripped, splitDump) = stripExtensions(components.last ?? "")
    var name = stripShardNumbering(stripped, joinedDigitsAreNumbering: splitDump)
    if name.isEmpty || name.allSatisfy(\.isNumber) {
        let folder = components.dropLast().last(where: { $0 != "." && $0 != ".." }) ?? ""
        name = folder.isEmpty ? "input" : stripShardNumbering(folder, joinedDigitsAreNumbering: false)
    }
    return name.isEmpty ? "input" : name
}

private let knownExtensions = [".zst", ".zstd", ".gz", ".gzip", ".bz2", ".jsonl", ".json", ".ndjson", ".xml"]

/// The name without extensions, and whether it had a Wikipedia split-dump suffix.
private func stripExtensions(_ fileName: String) -> (String, Bool) {
    var name = fileName
    var splitDump = false
    var changed = true
    while changed {
        changed = false
        let lower = name.lowercased()
        for ext in knownExtensions where lower.hasSuffix(ext) && name.count > ext.count {
            name.removeLast(ext.count)
            changed = true
            break
        }
        // Wikipedia's split dumps: `...articles1.xml-p1p41242`.
        if !changed, let cut = splitDumpSuffixStart(name) {
            name = String(name[..<cut])
            splitDump = true
            changed = true
        }
    }
    return (name, splitDump)
}

/// Where a `.xml-p<first>p<last>` suffix starts, if the name ends with one.
func splitDumpSuffixStart(_ name: String) -> String.Index? {
    let marker = ".xml-p"
    var index = name.endIndex
    while index > name.startIndex {
        index = name.index(before: index)
        if name[index...].hasPrefix(marker) {
            return isPageRange(name[name.index(index, offsetBy: marker.count)...]) ? index : nil
        }
    }
    return nil
}

/// `1p41242` (the rest of a split dump's `-p<first>p<last>` suffix).
private func isPageRange(_ text: Substring) -> Bool {
    let parts = text.split(separator: "p", omittingEmptySubsequences: false)
    return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
}

/// Removes `-00000-of-00003`, `.00007-of-01024` and a trailing `_023` / `-7`; digits joined to
/// a letter (`qwen2`) only when `joinedDigitsAreNumbering` (split dumps' `articles1`).
private func stripShardNumbering(_ name: String, joinedDigitsAreNumbering: Bool) -> String {
    var chars = Array(name)
    func dropTrailingDigits() -> Bool {
        let before = chars.count
        while let last = chars.last, last.isASCIIDigit { chars.removeLast() }
        return chars.count < before
    }
    func dropSeparator() {
        if let last = chars.last, "-_.".contains(last) { chars.removeLast() }
    }
    let original = chars
    if dropTrailingDigits(), chars.count >= 4, String(chars.suffix(4)) == "-of-" {
        chars.removeLast(4)
        if dropTrailingDigits() { dropSeparator() } else { chars = original }
    } else {
        chars = original
        if dropTrailingDigits() {
            if let last = chars.last, "-_.".contains(last) {
                chars.removeLast()
            } else if !joinedDigitsAreNumbering && !chars.isEmpty {
                chars = original
            }
        }
    }
    return chars.isEmpty ? name : String(chars)
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
