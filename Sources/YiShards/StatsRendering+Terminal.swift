/// `yi-prep stats` for a terminal: an aligned table (buckets as columns, split into several
/// tables when they do not fit `width`), then unicode bar histograms sized to `width`.
public enum StatsTerminal {
    public static func render(_ stats: DatasetStats, width: Int = 80) -> String {
        let width = max(40, width)
        var out = "Dataset \(stats.path) (\(stats.kind.rawValue), \(stats.hasManifest ? "manifest.json present" : "no manifest.json"))\n\n"
        out += table(stats, width: width)
        for bucket in stats.buckets where bucket.documentLengths.count > 0 {
            out += "\nDocument length (tokens), \(bucket.name)\n"
            out += bars(bucket.documentLengths.histogram.map { ("\(Numbers.grouped($0.lower))–\(Numbers.grouped($0.upper))", $0.count) },
                        width: width)
        }
        for bucket in stats.buckets where !bucket.documentsPerSequence.isEmpty {
            out += "\nDocuments per sequence, \(bucket.name) (sequences)\n"
            out += bars(bucket.documentsPerSequence.map { (String($0.value), $0.count) }, width: width)
        }
        if !stats.sources.isEmpty {
            out += "\nSources (≥N: share of tokens in documents of N+ tokens)\n"
            out += sourceTable(stats.sources, width: width)
        }
        if stats.total.trainedTokens != nil {
            out += "\nTrained tokens (loss mask; share of document tokens)\n"
            out += trainedLines(stats.buckets.map { ($0.name, $0.trainedTokens ?? 0, $0.documentTokens) }
                                + stats.sources.map { ("source " + $0.name, $0.trainedTokens ?? 0, $0.tokens) })
        }
        if !stats.rejects.isEmpty {
            out += "\nRejected records (by reason)\n" + list(stats.rejects)
        }
        if !stats.drops.isEmpty {
            out += "\nDropped documents (by reason)\n" + list(stats.drops)
        }
        if !stats.duplicatesBySource.isEmpty {
            out += "\nCorpus-wide duplicates skipped (by source)\n" + list(stats.duplicatesBySource)
        }
        if let perByte = stats.tokensPerInputByte, let bytes = stats.inputBytes {
            out += "\nTokens per input byte: \(Numbers.fixed(perByte, 4))\n"
            out += "  \(Numbers.grouped(stats.total.documentTokens)) document tokens / \(Numbers.grouped(Int(bytes))) input bytes\n"
        }
        if let perText = stats.tokensPerTextByte, let text = stats.textBytes {
            out += "Tokens per text byte (decompressed): \(Numbers.fixed(perText, 4))\n"
            out += "  \(Numbers.grouped(stats.total.documentTokens)) document tokens / \(Numbers.grouped(Int(text))) text bytes\n"
        }
        if !stats.damagedFiles.isEmpty {
            out += "\nDamaged input files (documents after the damage are missing)\n"
            out += stats.damagedFiles.map { file in
                "  - \(file.path)" + (file.byteOffset.map { " at byte \(Numbers.grouped($0))" } ?? "") + ": \(file.message)\n"
            }.joined()
        }
        if !stats.notes.isEmpty {
            out += "\nNotes\n" + stats.notes.map { "  - \($0)\n" }.joined()
        }
        return out
    }

    /// Rows of the summary table: label and one value per bucket.
    static func rows(_ b: BucketStats) -> [(String, String)] {
        let lengths = b.documentLengths
        func opt(_ v: Int?) -> String { v.map(Numbers.grouped) ?? "–" }
        return [
            ("shards", Numbers.grouped(b.shards)),
            ("sequences", Numbers.grouped(b.sequences)),
            ("tokens", Numbers.grouped(b.tokens)),
            ("document tokens", Numbers.grouped(b.documentTokens)),
            ("pad tokens", Numbers.grouped(b.padTokens)),
            ("fill ratio", Numbers.percent(b.fillRatio, 3)),
            ("documents", Numbers.grouped(b.documents)),
            ("split documents", Numbers.grouped(b.splitDocuments)),
            ("EOS tokens", opt(b.eosTokens)),
            ("docs / sequence", b.hasBoundaries && b.sequences > 0 ? Numbers.fixed(Double(b.spans) / Double(b.sequences), 2) : "–"),
            ("doc length p50", opt(lengths.percentile(50))),
            ("doc length p90", opt(lengths.percentile(90))),
            ("doc length p99", opt(lengths.percentile(99))),
            ("doc length max", opt(lengths.maximum)),
        ] + b.long.shares.map { ("tokens in docs ≥\(Compact.tokens($0.threshold))", b.documentTokens == 0 ? "–" : Numbers.percent($0.share, 1)) }
    }

    /// The source table: every name in full, numbers right-aligned in fixed columns. When a name
    /// is too long for `width`, the source's numbers go on the next line instead of cutting it.
    static func sourceTable(_ sources: [SourceShare], width: Int) -> String {
        guard let first = sources.first else { return "" }
        let headers = ["tokens", "share"] + first.long.thresholds.map { "≥" + Compact.tokens($0) } + ["p50", "p90", "max"]
        let rows = sources.map { source -> [String] in
            let lengths = source.long.documentLengths
            return [Numbers.grouped(source.tokens), Numbers.percent(source.share, 1)]
                + source.long.shares.map { Numbers.percent($0.share, 0) }
                + [lengths.percentile(50), lengths.percentile(90), lengths.maximum].map { $0.map(Compact.count) ?? "–" }
        }
        let widths = headers.indices.map { c in max(headers[c].count, rows.map { $0[c].count }.max()!) + 2 }
        let numbersWidth = widths.reduce(0, +)
        let nameWidth = max(8, sources.map(\.name.count).max()!) + 2
        guard 2 + nameWidth + numbersWidth > width else {
            func numbers(_ cells: [String]) -> String { cells.indices.map { Numbers.padLeft(cells[$0], widths[$0]) }.joined() }
            return "  " + Numbers.padRight("source", nameWidth) + numbers(headers) + "\n"
                + zip(sources, rows).map { "  " + Numbers.padRight($0.name, nameWidth) + numbers($1) + "\n" }.joined()
        }
        // Stacked: the name on its own line, the numbers below in as many lines as `width` needs.
        var chunks: [Range<Int>] = []
        var start = 0, used = 4
        for c in widths.indices {
            if used + widths[c] > width && c > start {
                chunks.append(start..<c)
                start = c
                used = 4
            }
            used += widths[c]
        }
        chunks.append(start..<widths.count)
        func lines(_ cells: [String]) -> String {
            chunks.map { chunk in "  " + chunk.map { Numbers.padLeft(cells[$0], widths[$0]) }.joined() + "\n" }.joined()
        }
        return "  source\n" + lines(headers) + zip(sources, rows).map { "  \($0.name)\n" + lines($1) }.joined()
    }

    static func table(_ stats: DatasetStats, width: Int) -> String {
        let columns = stats.buckets.count > 1 ? stats.buckets + [stats.total] : stats.buckets
        guard !columns.isEmpty else { return "(no buckets)\n" }
        let labels = rows(columns[0]).map(\.0)
        let labelWidth = labels.map(\.count).max()! + 2
        let values = columns.map { rows($0).map(\.1) }
        let columnWidth = max(12, (values.flatMap { $0 } + columns.map(\.name)).map(\.count).max()! + 2)
        let perTable = max(1, (width - labelWidth) / columnWidth)
        var out = ""
        var start = 0
        while start < columns.count {
            let group = start..<min(columns.count, start + perTable)
            out += Numbers.padRight("", labelWidth) + group.map { Numbers.padLeft(columns[$0].name, columnWidth) }.joined() + "\n"
            for (r, label) in labels.enumerated() {
                out += Numbers.padRight(label, labelWidth) + group.map { Numbers.padLeft(values[$0][r], columnWidth) }.joined() + "\n"
            }
            start = group.upperBound
            if start < columns.count { out += "\n" }
        }
        return out
    }

    /// `  NAME  trained / document tokens  share` per bucket and source (chat runs).
    static func trainedLines(_ items: [(String, Int, Int)]) -> String {
        let labelWidth = min(32, items.map(\.0.count).max() ?? 0) + 2
        return items.map { label, trained, documentTokens in
            "  " + Numbers.padRight(String(label.prefix(32)), labelWidth)
                + "\(Numbers.grouped(trained)) of \(Numbers.grouped(documentTokens))  "
                + Numbers.percent(documentTokens == 0 ? 0 : Double(trained) / Double(documentTokens), 1) + "\n"
        }.joined()
    }

    /// One bar per item, scaled to the largest count; `percentOf` adds a share column.
    static func bars(_ items: [(String, Int)], width: Int, percentOf total: Int? = nil) -> String {
        guard let largest = items.map(\.1).max() else { return "" }
        let labelWidth = min(24, items.map(\.0.count).max()!) + 2
        let countWidth = items.map { Numbers.grouped($0.1).count }.max()! + (total == nil ? 0 : 9)
        let barWidth = max(8, width - labelWidth - countWidth - 4)
        return items.map { label, count in
            var line = "  " + Numbers.padRight(String(label.prefix(24)), labelWidth)
            line += Numbers.padRight(bar(Double(count) / Double(max(1, largest)), width: barWidth), barWidth + 1)
            var tail = Numbers.grouped(count)
            if let total { tail = Numbers.padLeft(Numbers.percent(total == 0 ? 0 : Double(count) / Double(total), 1), 7) + "  " + tail }
            return line + Numbers.padLeft(tail, countWidth) + "\n"
        }.joined()
    }

    /// A bar of `fraction × width` cells in eighths; a non-zero value always shows a sliver.
    static func bar(_ fraction: Double, width: Int) -> String {
        let eighths = Int((max(0, min(1, fraction)) * Double(width * 8)).rounded())
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        if eighths == 0 { return fraction > 0 ? "▏" : "" }
        return String(repeating: "█", count: eighths / 8) + partials[eighths % 8]
    }

    static func list(_ counts: [NamedCount]) -> String {
        let labelWidth = counts.map(\.name.count).max()! + 2
        return counts.map { "  " + Numbers.padRight($0.name, labelWidth) + Numbers.grouped($0.count) + "\n" }.joined()
    }
}

/// Locale-independent number formatting (the output must not depend on the environment).
enum Numbers {
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `value` with exactly `decimals` decimals, rounded half away from zero.
    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((value.magnitude * scale).rounded())
        let unit = Int64(scale)
        let whole = scaled / unit
        let fraction = String(scaled % unit)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return sign + String(whole) }
        return sign + String(whole) + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    static func percent(_ fraction: Double, _ decimals: Int) -> String { fixed(fraction * 100, decimals) + "%" }

    static func padLeft(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
    static func padRight(_ s: String, _ width: Int) -> String { s + String(repeating: " ", count: max(0, width - s.count)) }
}
