/// `yi-prep stats --html report.html`: one self-contained file (inline CSS and SVG, no script,
/// no external asset) with the summary table, fill ratio per bucket, the source mix, and per
/// bucket the document-length and documents-per-sequence histograms.
public enum StatsHTML {
    /// Twelve distinguishable colours (Tableau 10 plus two); the source chart never needs more:
    /// beyond `maxChartSources` the smallest sources are grouped as "other".
    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
                          "#bab0ac", "#17becf", "#2f2f2f"]
    static let maxChartSources = 12
    /// The documents-per-sequence chart groups counts into at most this many bars.
    static let maxHistogramBars = 24

    public static func render(_ stats: DatasetStats, title: String = "yi-prep dataset report") -> String {
        var body = "<h1>\(escape(title))</h1>\n"
        body += "<p class=\"meta\">\(escape(stats.path)) · \(escape(stats.kind.rawValue)) · "
            + (stats.hasManifest ? "manifest.json present" : "no manifest.json") + "</p>\n"
        body += "<h2>Summary</h2>\n" + summaryTable(stats)
        body += "<h2>Fill ratio</h2>\n<p class=\"note\">Document tokens versus padding in each bucket.</p>\n" + fillChart(stats)
        if !stats.sources.isEmpty {
            body += "<h2>Source mix</h2>\n<p class=\"note\">Share of document tokens by source.</p>\n" + sourceChart(stats)
            body += "<p class=\"note\">≥N: share of the source's tokens in documents of at least N tokens; lengths are whole documents.</p>\n"
            body += sourceTable(stats)
        }
        for bucket in stats.buckets {
            body += "<h2>\(escape(bucket.name))</h2>\n<div class=\"row\">\n"
            body += "<figure><figcaption>Document length (tokens), documents per power-of-two range</figcaption>\n"
            body += histogram(bucket.documentLengths.histogram.map { (Compact.tokens($0.lower), "\($0.lower)–\($0.upper) tokens", $0.count) },
                              color: palette[0])
            body += "</figure>\n"
            if !bucket.documentsPerSequence.isEmpty {
                body += "<figure><figcaption>Documents per sequence (sequences)</figcaption>\n"
                body += histogram(documentsPerSequenceBars(bucket.documentsPerSequence), color: palette[2])
                body += "</figure>\n"
            }
            body += "</div>\n"
        }
        if !stats.rejects.isEmpty || !stats.drops.isEmpty {
            body += "<h2>Rejected and dropped</h2>\n<div class=\"row\">"
            if !stats.rejects.isEmpty { body += countTable("Rejected records", stats.rejects) }
            if !stats.drops.isEmpty { body += countTable("Dropped documents", stats.drops) }
            body += "</div>\n"
        }
        if !stats.damagedFiles.isEmpty {
            body += "<h2>Damaged input files</h2>\n<p class=\"note\">Documents up to the damage were kept; the rest of each file is missing.</p>\n"
            body += "<table><tr><th>file</th><th class=\"n\">byte</th><th>problem</th></tr>\n"
                + stats.damagedFiles.map { file in
                    "<tr><td>\(escape(file.path))</td><td class=\"n\">\(file.byteOffset.map(Numbers.grouped) ?? "–")</td><td>\(escape(file.message))</td></tr>\n"
                }.joined() + "</table>\n"
        }
        if let perByte = stats.tokensPerInputByte, let bytes = stats.inputBytes {
            body += "<p>Tokens per input byte: <b>\(Numbers.fixed(perByte, 4))</b> (\(Numbers.grouped(stats.total.documentTokens)) document tokens / \(Numbers.grouped(Int(bytes))) input bytes as stored)</p>\n"
        }
        if let perText = stats.tokensPerTextByte, let text = stats.textBytes {
            body += "<p>Tokens per text byte: <b>\(Numbers.fixed(perText, 4))</b> (\(Numbers.grouped(stats.total.documentTokens)) document tokens / \(Numbers.grouped(Int(text))) bytes of decompressed document text)</p>\n"
        }
        if !stats.notes.isEmpty {
            body += "<h2>Notes</h2>\n<ul>" + stats.notes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; padding: 0 1em; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; }
        h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
        .meta, .note { color: #666; margin-top: 0.2em; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
        th, td { padding: 0.25em 0.8em; border-bottom: 1px solid #eee; }
        th { text-align: left; font-weight: 600; }
        td.n, th.n { text-align: right; }
        .row { display: flex; flex-wrap: wrap; gap: 2em; align-items: flex-start; }
        figure { margin: 0; }
        figcaption { font-size: 0.9em; color: #444; margin-bottom: 0.3em; }
        svg text { font-family: inherit; font-size: 11px; fill: #333; }
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    static func summaryTable(_ stats: DatasetStats) -> String {
        let columns = stats.buckets.count > 1 ? stats.buckets + [stats.total] : stats.buckets
        guard let first = columns.first else { return "<p>No buckets.</p>\n" }
        var html = "<table>\n<tr><th></th>" + columns.map { "<th class=\"n\">\(escape($0.name))</th>" }.joined() + "</tr>\n"
        let values = columns.map { StatsTerminal.rows($0) }
        for (r, row) in StatsTerminal.rows(first).enumerated() {
            html += "<tr><th>\(escape(row.0))</th>" + values.map { "<td class=\"n\">\(escape($0[r].1))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func fillChart(_ stats: DatasetStats) -> String {
        let rowHeight = 28, labelWidth = 110, barWidth = 700
        let height = stats.buckets.count * rowHeight + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(labelWidth + barWidth + 90)\" height=\(quote(height)) role=\"img\">\n"
        for (i, bucket) in stats.buckets.enumerated() {
            let y = 5 + i * rowHeight
            let filled = Int((bucket.fillRatio * Double(barWidth)).rounded())
            svg += "<text x=\"0\" y=\(quote(y + 17))>\(escape(bucket.name))</text>\n"
            svg += "<rect x=\(quote(labelWidth)) y=\(quote(y)) width=\(quote(filled)) height=\"22\" fill=\"\(palette[0])\"><title>\(escape(bucket.name)): \(Numbers.grouped(bucket.documentTokens)) document tokens</title></rect>\n"
            svg += "<rect x=\(quote(labelWidth + filled)) y=\(quote(y)) width=\(quote(barWidth - filled)) height=\"22\" fill=\"#ddd\"><title>\(escape(bucket.name)): \(Numbers.grouped(bucket.padTokens)) pad tokens</title></rect>\n"
            svg += "<text x=\(quote(labelWidth + barWidth + 8)) y=\(quote(y + 17))>\(Numbers.percent(bucket.fillRatio, 3))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// The sources of the chart: the largest `maxChartSources - 1` and, when there are more,
    /// one "other (k sources)" entry for the rest, so every colour is distinct.
    static func chartSources(_ sources: [SourceShare]) -> [(name: String, share: Double, tokens: Int)] {
        let all = sources.map { (name: $0.name, share: $0.share, tokens: $0.tokens) }
        guard all.count > maxChartSources else { return all }
        let rest = all[(maxChartSources - 1)...]
        return Array(all.prefix(maxChartSources - 1))
            + [(name: "other (\(rest.count) sources)", share: rest.reduce(0) { $0 + $1.share }, tokens: rest.reduce(0) { $0 + $1.tokens })]
    }

    static func sourceChart(_ stats: DatasetStats) -> String {
        let width = 800, barHeight = 30
        let entries = chartSources(stats.sources)
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\(quote(width)) height=\(quote(barHeight + 20 + entries.count * 20)) role=\"img\">\n"
        var x = 0.0
        for (i, source) in entries.enumerated() {
            let w = source.share * Double(width)
            svg += "<rect x=\(quote(Numbers.fixed(x, 1))) y=\"0\" width=\(quote(Numbers.fixed(w, 1))) height=\(quote(barHeight)) fill=\"\(palette[i])\"><title>\(escape(source.name)): \(Numbers.percent(source.share, 2))</title></rect>\n"
            x += w
        }
        for (i, source) in entries.enumerated() {
            let y = barHeight + 14 + i * 20
            svg += "<rect x=\"0\" y=\(quote(y - 10)) width=\"12\" height=\"12\" fill=\"\(palette[i])\"/>"
            svg += "<text x=\"18\" y=\(quote(y))>\(escape(source.name)) — \(Numbers.percent(source.share, 2)) (\(Numbers.grouped(source.tokens)) tokens)</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Every source with its tokens, share, long-token shares and document lengths.
    static func sourceTable(_ stats: DatasetStats) -> String {
        guard let first = stats.sources.first else { return "" }
        var html = "<table>\n<tr><th>source</th><th class=\"n\">tokens</th><th class=\"n\">share</th>"
            + first.long.thresholds.map { "<th class=\"n\">≥\(Compact.tokens($0))</th>" }.joined()
            + "<th class=\"n\">p50</th><th class=\"n\">p90</th><th class=\"n\">max</th></tr>\n"
        for source in stats.sources {
            let lengths = source.long.documentLengths
            html += "<tr><td>\(escape(source.name))</td><td class=\"n\">\(Numbers.grouped(source.tokens))</td><td class=\"n\">\(Numbers.percent(source.share, 1))</td>"
                + source.long.shares.map { "<td class=\"n\">\(Numbers.percent($0.share, 1))</td>" }.joined()
                + [lengths.percentile(50), lengths.percentile(90), lengths.maximum].map { "<td class=\"n\">\($0.map(Numbers.grouped) ?? "–")</td>" }.joined()
                + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Bars for the documents-per-sequence chart: one per value while there are at most
    /// `maxHistogramBars` values, else equal-width ranges ("1–4", "5–8", ...), so the chart stays
    /// narrow however many documents a sequence holds.
    static func documentsPerSequenceBars(_ counts: [ValueCount]) -> [(String, String, Int)] {
        guard let low = counts.first?.value, let high = counts.last?.value else { return [] }
        let step = max(1, (high - low + maxHistogramBars) / maxHistogramBars)
        var bars: [(String, String, Int)] = []
        var start = low
        while start <= high {
            let end = min(high, start + step - 1)
            let n = counts.reduce(0) { $1.value >= start && $1.value <= end ? $0 + $1.count : $0 }
            let label = start == end ? String(start) : "\(start)–\(end)"
            bars.append((label, "\(label) documents", n))
            start = end + 1
        }
        return bars
    }

    /// A vertical bar chart: (axis label, tooltip, count) per bar.
    static func histogram(_ bars: [(String, String, Int)], color: String) -> String {
        guard let largest = bars.map(\.2).max(), largest > 0 else { return "<p class=\"note\">No data.</p>\n" }
        let plotHeight = 180, barSlot = max(18, min(48, 600 / max(1, bars.count))), left = 50, bottom = 40
        let width = left + bars.count * barSlot + 10
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\(quote(width)) height=\(quote(plotHeight + bottom + 10)) role=\"img\">\n"
        svg += "<line x1=\(quote(left)) y1=\(quote(plotHeight + 10)) x2=\(quote(width - 5)) y2=\(quote(plotHeight + 10)) stroke=\"#999\"/>\n"
        svg += "<text x=\(quote(left - 6)) y=\"16\" text-anchor=\"end\">\(Compact.count(largest))</text>\n"
        svg += "<text x=\(quote(left - 6)) y=\(quote(plotHeight + 12)) text-anchor=\"end\">0</text>\n"
        // Labels (about 6.5 px per character) must not overlap: label every k-th bar.
        let longestLabel = bars.map(\.0.count).max() ?? 1
        let labelEvery = max(1, Int((Double(longestLabel) * 6.5 + 4) / Double(barSlot)) + 1)
        for (i, bar) in bars.enumerated() {
            let h = Int((Double(bar.2) / Double(largest) * Double(plotHeight)).rounded())
            let x = left + i * barSlot + 2
            let shown = bar.2 > 0 ? max(1, h) : 0
            svg += "<rect x=\(quote(x)) y=\(quote(plotHeight + 10 - shown)) width=\(quote(barSlot - 4)) height=\(quote(shown)) fill=\"\(color)\"><title>\(escape(bar.1)): \(Numbers.grouped(bar.2))</title></rect>\n"
            if i % labelEvery == 0 {
                svg += "<text x=\(quote(x + (barSlot - 4) / 2)) y=\(quote(plotHeight + 26)) text-anchor=\"middle\">\(escape(bar.0))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    static func countTable(_ title: String, _ counts: [NamedCount]) -> String {
        "<table><tr><th>\(escape(title))</th><th class=\"n\">count</th></tr>\n"
            + counts.map { "<tr><td>\(escape($0.name))</td><td class=\"n\">\(Numbers.grouped($0.count))</td></tr>\n" }.joined()
            + "</table>\n"
    }

    static func quote(_ value: Int) -> String { "\"\(value)\"" }
    static func quote(_ value: String) -> String { "\"\(value)\"" }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// Short axis labels: 1, 512, 1K, 16K, 1M (powers of two stay exact in K).
enum Compact {
    static func tokens(_ n: Int) -> String {
        if n >= 1 << 20 && n % (1 << 20) == 0 { return "\(n >> 20)M" }
        if n >= 1 << 10 && n % (1 << 10) == 0 { return "\(n >> 10)K" }
        return String(n)
    }

    static func count(_ n: Int) -> String {
        if n >= 10_000_000 { return "\(n / 1_000_000)M" }
        if n >= 10_000 { return "\(n / 1_000)k" }
        return Numbers.grouped(n)
    }
}
