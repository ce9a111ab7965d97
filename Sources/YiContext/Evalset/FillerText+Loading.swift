import YiCore

/// What `FillerText.load` read.
public struct FillerLoadReport: Sendable, Equatable {
    public var documents: Int
    /// JSONL lines that were not a JSON object with a string `text` field (or not UTF-8).
    public var skippedLines: Int
    /// True when reading stopped at the character limit.
    public var truncated: Bool
}

extension FillerText {
    /// Reads filler from a user file: `.jsonl`/`.json` → one JSON document per line with a string
    /// `text` field (other lines are skipped and counted); anything else → plain UTF-8 text (invalid
    /// bytes replaced). Reading stops once `characterLimit` scalars are collected: the pool is read
    /// cyclically, so a few times the longest prompt is plenty and memory stays bounded.
    public static func load(path: String, characterLimit: Int) throws -> (FillerText, FillerLoadReport) {
        var documents: [String] = []
        var characters = 0
        var report = FillerLoadReport(documents: 0, skippedLines: 0, truncated: false)
        let lower = path.lowercased()
        let isJSONL = lower.hasSuffix(".jsonl") || lower.hasSuffix(".json") || lower.hasSuffix(".ndjson")
        try FileReading.forEachLine(path) { line, _ in
            if characters >= characterLimit {
                report.truncated = true
                return false
            }
            if isJSONL {
                let trimmed = line.last == 0x0D ? line.dropLast() : line
                if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return true }
                guard let value = try? trimmed.withUnsafeBytes({ try JSONParser.parse(bytes: $0) }),
                      let text = value["text"]?.stringValue else {
                    report.skippedLines += 1
                    return true
                }
                documents.append(text)
                characters += text.unicodeScalars.count
            } else {
                // Plain text: one document; lines are kept with their newlines.
                let text = String(decoding: line, as: UTF8.self) + "\n"
                if documents.isEmpty { documents.append("") }
                documents[0] += text
                characters += text.unicodeScalars.count
            }
            return true
        }
        report.documents = documents.count
        if documents.isEmpty {
            throw YiError(.usage, "no filler text found" + (report.skippedLines > 0 ? " (\(report.skippedLines) lines without a string \"text\" field)" : ""),
                          context: .init(path: path))
        }
        do {
            return (try FillerText(documents: documents, origin: path), report)
        } catch let error as YiError {
            throw error.adding(.init(path: path))
        }
    }
}
