import YiCore

/// `yi-prep inspect`: one sequence with its document boundaries marked. The caller supplies the
/// decoder (the tokenizer lives in another module), so this stays testable without a model.
public enum SequenceInspection {
    /// - Parameters:
    ///   - sequenceNumber: the sequence's number in the bucket (as given to `--seq`).
    ///   - sources: the manifest's source table, to name each span's source.
    ///   - decode: ids → text for each span (nil prints ids only).
    ///   - showIDs: print the ids of each span too (`--ids`).
    ///   - mask: the sequence's loss mask (0/1 per token) from a `.mask` sidecar: trained runs are
    ///     shown between `⟪` and `⟫` and each span says how many of its tokens are trained.
    ///   - origins: where each document ordinal came from (`Provenance.describe`), shown per span.
    public static func render(_ sequence: BucketReader.Sequence, bucketName: String, sequenceNumber: Int, sources: [String] = [],
                              padID: TokenID? = nil, showIDs: Bool = false, decode: (([TokenID]) -> String)? = nil,
                              mask: [UInt8]? = nil, origins: [Int: String] = [:]) -> String {
        let tokens = sequence.tokens
        var out = "\(bucketName) sequence \(sequenceNumber) (\(sequence.shardName) #\(sequence.indexInShard)): \(Numbers.grouped(tokens.count)) tokens"
        guard let spans = sequence.spans else {
            out += ", no boundaries sidecar (one Megatron sequence)\n"
            out += body(tokens[...], showIDs: showIDs, decode: decode)
            return out
        }
        let used = spans.reduce(0) { $0 + $1.length }
        out += ", \(spans.count) span\(spans.count == 1 ? "" : "s"), \(Numbers.grouped(tokens.count - used)) padding\n"
        if let mask {
            out += "loss mask: \(Numbers.grouped(mask.reduce(0) { $0 + Int($1) })) trained tokens, shown between ⟪ and ⟫\n"
        }
        for (n, span) in spans.enumerated() {
            var label = "── span \(n + 1): document \(span.documentOrdinal)"
            if span.sourceIndex < sources.count { label += " (\(sources[span.sourceIndex]))" }
            // The ordinal is work part · 2^40 + position (docs/formats.md); parts of a split
            // document are numbered from 0 as the sidecar's `part` field stores them.
            label += ", work part \(span.documentOrdinal >> 40) #\(span.documentOrdinal & ((1 << 40) - 1))"
            if span.part > 0 || !span.isDocumentEnd { label += ", split part \(span.part)" }
            label += ", tokens \(span.offset)..<\(span.offset + span.length) (\(Numbers.grouped(span.length)))"
            label += span.isDocumentEnd ? ", ends with EOS" : ", continues in a later sequence"
            let end = min(tokens.count, span.offset + span.length)
            let start = min(span.offset, end)
            let spanMask = mask.flatMap { $0.count == tokens.count ? $0[start..<end] : nil }
            if let spanMask { label += ", \(Numbers.grouped(spanMask.reduce(0) { $0 + Int($1) })) trained" }
            out += label + " ──\n"
            if let origin = origins[span.documentOrdinal] { out += "   from \(origin)\n" }
            if let spanMask {
                out += markedBody(tokens[start..<end], mask: spanMask, showIDs: showIDs, decode: decode)
            } else {
                out += body(tokens[start..<end], showIDs: showIDs, decode: decode)
            }
        }
        if used < tokens.count {
            let pad = tokens[used...]
            let uniform = padID.map { id in pad.allSatisfy { $0 == id } } ?? false
            out += "── padding: tokens \(used)..<\(tokens.count) (\(Numbers.grouped(pad.count)))"
            out += uniform ? ", pad id \(padID!) ──\n" : " ──\n" + ids(pad) + "\n"
        }
        return out
    }

    /// The span as runs of equal mask bits, trained runs between ⟪ and ⟫ (decoded per run).
    private static func markedBody(_ tokens: ArraySlice<TokenID>, mask: ArraySlice<UInt8>, showIDs: Bool,
                                   decode: (([TokenID]) -> String)?) -> String {
        var text = ""
        var idText = ""
        var runStart = tokens.startIndex
        while runStart < tokens.endIndex {
            var runEnd = runStart
            while runEnd < tokens.endIndex && mask[runEnd] == mask[runStart] { runEnd += 1 }
            let run = tokens[runStart..<runEnd]
            let trained = mask[runStart] != 0
            if let decode { text += (trained ? "⟪" : "") + decode(Array(run)) + (trained ? "⟫" : "") }
            if showIDs || decode == nil { idText += (trained ? "⟪" : "") + ids(run) + (trained ? "⟫" : "") }
            runStart = runEnd
        }
        var out = ""
        if decode != nil { out += text.hasSuffix("\n") ? text : text + "\n" }
        if !idText.isEmpty { out += idText + "\n" }
        return out
    }

    private static func body(_ tokens: ArraySlice<TokenID>, showIDs: Bool, decode: (([TokenID]) -> String)?) -> String {
        var out = ""
        if let decode {
            let text = decode(Array(tokens))
            out += text.hasSuffix("\n") ? text : text + "\n"
        }
        if showIDs || decode == nil { out += ids(tokens) + "\n" }
        return out
    }

    private static func ids(_ tokens: ArraySlice<TokenID>) -> String {
        var out = ""
        JSONWriter.appendIDs(tokens, to: &out)
        return out
    }
}
