import YiCore

/// `yi-prep stats --json`: stable keys, documented in docs/formats.md.
/// Ratios are rounded to 6 decimals so the text is the same on every platform.
public enum StatsJSON {
    public static let formatVersion = 1

    public static func json(_ stats: DatasetStats) -> JSONValue {
        let sourceNames = Dictionary(stats.sources.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        var members: [(String, JSONValue)] = [
            ("format", .string("yi-prep-stats")),
            ("format_version", .int(Int64(formatVersion))),
            ("path", .string(stats.path)),
            ("kind", .string(stats.kind.rawValue)),
            ("manifest", .bool(stats.hasManifest)),
            ("totals", bucket(stats.total, sourceNames: sourceNames)),
            ("buckets", .array(stats.buckets.map { bucket($0, sourceNames: sourceNames) })),
            ("sources", .array(stats.sources.map { share in
                .object([("index", .int(Int64(share.index))), ("name", .string(share.name)),
                         ("tokens", .int(Int64(share.tokens))), ("share", .double(roundedRatio(share.share))),
                         ("long_tokens", longTokens(share.long)), ("document_length", percentiles(share.long.documentLengths))]
                        + trained(share.trainedTokens, of: share.tokens))
            })),
            ("rejects", .object(stats.rejects.map { ($0.name, .int(Int64($0.count))) })),
            ("drops", .object(stats.drops.map { ($0.name, .int(Int64($0.count))) })),
            ("input_bytes", stats.inputBytes.map { .int($0) } ?? .null),
            ("tokens_per_input_byte", stats.tokensPerInputByte.map { .double(roundedRatio($0)) } ?? .null),
            ("text_bytes", stats.textBytes.map { .int($0) } ?? .null),
            ("tokens_per_text_byte", stats.tokensPerTextByte.map { .double(roundedRatio($0)) } ?? .null),
            ("eos_counted_from", stats.eosCountedFrom.map { .string($0) } ?? .null),
        ]
        members.append(("damaged_files", .array(stats.damagedFiles.map { file in
            .object([("path", .string(file.path)), ("byte_offset", file.byteOffset.map { .int(Int64($0)) } ?? .null),
                     ("message", .string(file.message))])
        })))
        if !stats.duplicatesBySource.isEmpty {
            members.append(("duplicates_by_source", .object(stats.duplicatesBySource.map { ($0.name, .int(Int64($0.count))) })))
        }
        members.append(("notes", .array(stats.notes.map { .string($0) })))
        return .object(members)
    }

    public static func string(_ stats: DatasetStats) -> String {
        JSONWriter.string(json(stats), pretty: true) + "\n"
    }

    /// `[{"min_document_tokens": T, "tokens": n, "share": n / document tokens}]`, one per threshold.
    static func longTokens(_ tally: LongTokenTally) -> JSONValue {
        .array(tally.shares.map {
            .object([("min_document_tokens", .int(Int64($0.threshold))), ("tokens", .int(Int64($0.tokens))),
                     ("share", .double(roundedRatio($0.share)))])
        })
    }

    /// Whole-document length summary (no histogram): documents, min, max, mean, p50, p90, p99.
    static func percentiles(_ lengths: LengthDistribution) -> JSONValue {
        .object(percentileMembers(lengths))
    }

    static func percentileMembers(_ lengths: LengthDistribution) -> [(String, JSONValue)] {
        func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        return [
            ("documents", .int(Int64(lengths.count))),
            ("min", optional(lengths.minimum)),
            ("max", optional(lengths.maximum)),
            ("mean", lengths.mean.map { .double(roundedRatio($0)) } ?? .null),
            ("p50", optional(lengths.percentile(50))),
            ("p90", optional(lengths.percentile(90))),
            ("p99", optional(lengths.percentile(99))),
        ]
    }

    static func bucket(_ b: BucketStats, sourceNames: [Int: String]) -> JSONValue {
        let lengths = b.documentLengths
        func optional(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        let sourceTokens: [JSONValue] = b.sourceTokens.sorted { $0.key < $1.key }.map { index, tokens in
            .object([("index", .int(Int64(index))), ("name", .string(sourceNames[index] ?? "source #\(index)")),
                     ("tokens", .int(Int64(tokens))),
                     ("share", .double(roundedRatio(b.documentTokens == 0 ? 0 : Double(tokens) / Double(b.documentTokens)))),
                     ("long_tokens", longTokens(b.sourceLong[index] ?? LongTokenTally(thresholds: b.long.thresholds))),
                     ("document_length", percentiles(b.sourceLong[index]?.documentLengths ?? LengthDistribution(counts: [:])))]
                    + trained(b.trainedTokens == nil ? nil : b.sourceTrainedTokens[index, default: 0], of: tokens))
        }
        return .object([
            ("name", .string(b.name)),
            ("sequence_length", optional(b.sequenceLength)),
            ("dtype", b.dtype.map { .string($0) } ?? .null),
            ("shards", .int(Int64(b.shards))),
            ("sequences", .int(Int64(b.sequences))),
            ("tokens", .int(Int64(b.tokens))),
            ("document_tokens", .int(Int64(b.documentTokens))),
            ("pad_tokens", .int(Int64(b.padTokens))),
            ("fill_ratio", .double(roundedRatio(b.fillRatio))),
            ("spans", .int(Int64(b.spans))),
            ("documents", .int(Int64(b.documents))),
            ("split_documents", .int(Int64(b.splitDocuments))),
            ("eos_tokens", optional(b.eosTokens)),
            ("has_boundaries", .bool(b.hasBoundaries)),
            ("documents_per_sequence", .array(b.documentsPerSequence.map {
                .object([("documents", .int(Int64($0.value))), ("sequences", .int(Int64($0.count)))])
            })),
            ("document_length", .object(percentileMembers(lengths) + [
                ("histogram", .array(lengths.histogram.map {
                    .object([("min", .int(Int64($0.lower))), ("max", .int(Int64($0.upper))), ("documents", .int(Int64($0.count)))])
                })),
            ])),
            ("long_tokens", longTokens(b.long)),
            ("source_tokens", .array(sourceTokens)),
        ] + trained(b.trainedTokens, of: b.documentTokens))
    }

    /// `trained_tokens` and `trained_share` (of the document tokens), only when the shards have
    /// loss masks (chat runs); absent otherwise, so plain runs' JSON is unchanged.
    static func trained(_ trainedTokens: Int?, of documentTokens: Int) -> [(String, JSONValue)] {
        guard let trainedTokens else { return [] }
        let share = documentTokens == 0 ? 0 : Double(trainedTokens) / Double(documentTokens)
        return [("trained_tokens", .int(Int64(trainedTokens))), ("trained_share", .double(roundedRatio(share)))]
    }
}
