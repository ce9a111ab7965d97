import Foundation
import YiCore
import YiFilters
import YiReaders
import YiTokenizer

/// One document after filtering and tokenizing.
struct EncodedDocument {
    var id: String
    var source: String
    /// Document tokens followed by EOS (and preceded by BOS when asked); empty when dropped.
    var tokens: [TokenID]
    var textBytes: Int
    var dropReason: String?
    /// Conversations only: 0/1 per token of `tokens` (BOS and EOS are 0).
    var mask: [UInt8]? = nil
    /// Conversations only: the 1s of `mask`.
    var trainedTokens = 0
    /// Conversations only: cut after its last trained turn that fits (`--long-chats truncate-turns`).
    var truncatedTurns = false
    /// Where the record was read (file, line, byte offset), for the provenance files.
    var location: SourceLocation? = nil
}

/// Reads a list of inputs, filters and tokenizes the documents on worker threads, and hands them
/// back in input order — the shared front half of `pack` and of the mixing counting pass.
///
/// Filter placement: text filters run on the workers (one copy each); deduplication needs the
/// documents in input order, so it runs on the reader thread before documents are dispatched;
/// token-length filters run on the workers after tokenizing. Dedup state lives for one stream
/// (one work part), which keeps parts independent (see `WorkPart`).
struct EncodedStream {
    /// Drop reason of documents shorter than the stage's `min-doc-tokens`.
    static let belowStageMinimum = "length.below-stage-minimum"

    let inputs: [(DiscoveredInput, ReaderOptions)]
    let options: PackOptions
    let model: SentencePieceModel
    let rejects: RejectLog

    struct Result {
        var counters: Counters
        var damagedFiles: [YiError]
        var dedup: [JSONValue]
    }

    /// - Parameters:
    ///   - consume: each document in input order, on the calling thread.
    ///   - progress: file bytes read so far, after each batch.
    func run(progress: (Int64) -> Void = { _ in }, consume: (EncodedDocument) throws -> Void) throws -> Result {
        let specs = try FilterRegistry.standard.makeList(options.filters, path: "filters")
        let corpusFilters = specs.compactMap { spec -> (any CorpusFilter)? in
            if case .corpus(let filter) = spec.filter { return filter }
            return nil
        }
        let dropList = try options.dropList.map { try DropList(path: $0) }
        let feeds = inputs.map { DocumentFeed(inputs: [$0.0], options: $0.1, rejects: rejects) }
        let eos = model.eosID
        let bos = options.addBOS ? model.bosID : nil
        let filterConfiguration = options.filters
        let masker = inputs.contains(where: { $0.1.chat != nil }) ? try ChatMasker(model: model) : nil
        let chatLimit = options.packing.lengths.max() ?? .max
        let longChats = options.longChats
        let minDocumentTokens = options.minDocumentTokens ?? 0
        var readerCounters = Counters()   // touched by the reader thread only, read after the run

        let pool = OrderedWorkPool<DocumentBatch, [EncodedDocument]>(threads: options.threads)
        try pool.run(makeWorker: { [model] in
            let encoder = SentencePieceEncoder(model: model, runsBesideOtherEncoders: options.threads > 1)
            // Each worker builds its own filters: they may keep per-document scratch memory.
            let workerSpecs = (try? FilterRegistry.standard.makeList(filterConfiguration, path: "filters")) ?? []
            var textFilters = workerSpecs.compactMap { spec -> (any DocumentFilter)? in
                if case .text(let filter) = spec.filter { return filter }
                return nil
            }
            let tokenFilters = workerSpecs.compactMap { spec -> TokenLengthFilter? in
                if case .tokens(let filter) = spec.filter { return filter }
                return nil
            }
            return { batch in
                batch.documents.map { document in
                    var encoded = EncodedDocument(id: document.id, source: document.source, tokens: [],
                                                  textBytes: document.text.utf8.count, dropReason: nil,
                                                  location: document.location)
                    for n in textFilters.indices {
                        if case .drop(let reason) = textFilters[n].verdict(for: document) {
                            encoded.dropReason = reason
                            return encoded
                        }
                    }
                    var ids: [TokenID] = []
                    ids.reserveCapacity(encoded.textBytes / 3 + 2)
                    if let bos { ids.append(bos) }
                    if let layout = document.chat, let masker {
                        // Encoded whole, straight after BOS; the mask is traced from the tokens' byte ranges.
                        let prefix = ids.count
                        // As a String the text is well-formed UTF-8: the encoder skips checking it again.
                        encoder.encode(document.text, into: &ids)
                        var text = document.text
                        let traced = text.withUTF8 { utf8 -> ChatMasker.Encoding? in
                            ids.withUnsafeBufferPointer { all in
                                masker.mask(ids: UnsafeBufferPointer(rebasing: all[prefix...]), text: utf8, layout: layout)
                            }
                        }
                        guard var chat = traced else {
                            encoded.dropReason = "chat-untraceable-tokens"
                            return encoded
                        }
                        let overhead = prefix + (eos == nil ? 0 : 1)
                        if overhead + chat.mask.count > chatLimit {
                            switch longChats {
                            case .drop:
                                encoded.dropReason = "long-chat"
                                return encoded
                            case .truncateTurns:
                                let cut = chat.turnTokenEnds.indices.last { turn in
                                    layout.turns[turn].isTrained && (chat.turnTokenEnds[turn].map { overhead + $0 <= chatLimit } ?? false)
                                }
                                guard let cut, let end = chat.turnTokenEnds[cut] else {
                                    encoded.dropReason = "long-chat-no-trained-turn-fits"
                                    return encoded
                                }
                                ids.removeSubrange((prefix + end)...)
                                chat.mask.removeSubrange(end...)
                                chat.trainedTokens = chat.mask.reduce(0) { $0 + Int($1) }
                                encoded.truncatedTurns = true
                            }
                        }
                        var mask: [UInt8]
                        if prefix == 0 {
                            mask = chat.mask   // no BOS (Yi's template): no copy
                        } else {
                            mask = [UInt8](repeating: 0, count: prefix)
                            mask.reserveCapacity(ids.count + 1)
                            mask.append(contentsOf: chat.mask)
                        }
                        if let eos { ids.append(eos); mask.append(0) }
                        encoded.mask = mask
                        encoded.trainedTokens = chat.trainedTokens
                    } else {
                        encoder.encode(document.text, into: &ids)
                        if let eos { ids.append(eos) }
                    }
                    for filter in tokenFilters {
                        if case .drop(let reason) = filter.verdict(tokenCount: ids.count) {
                            encoded.dropReason = reason
                            return encoded
                        }
                    }
                    if ids.count < minDocumentTokens {
                        encoded.dropReason = EncodedStream.belowStageMinimum
                        return encoded
                    }
                    encoded.tokens = ids
                    return encoded
                }
            }
        }, produce: { submit in
            var next = 0
            for (n, feed) in feeds.enumerated() {
                let input = inputs[n].0
                let dropped = try dropList?.positions(inFile: input.path) ?? []
                next += try feed.run(startOrdinal: next) { batch in
                    var batch = batch
                    if !dropped.isEmpty {
                        // Corpus-wide dedup: skip what `yi-prep dedup` listed (before the per-part filters).
                        batch.documents.removeAll { document in
                            guard dropped.contains(DocumentPosition.of(document, format: input.format)) else { return false }
                            readerCounters.add("dropped.\(DropList.reason)")
                            readerCounters.add("duplicates.source.\(document.source)")
                            return true
                        }
                        if batch.documents.isEmpty { return }
                    }
                    guard !corpusFilters.isEmpty else { return try submit(batch) }
                    var kept = batch
                    kept.documents = batch.documents.filter { document in
                        for filter in corpusFilters {
                            var filter = filter
                            if case .drop(let reason) = filter.verdict(for: document) {
                                readerCounters.add("dropped.\(reason)")
                                return false
                            }
                        }
                        return true
                    }
                    if !kept.documents.isEmpty { try submit(kept) }
                }
            }
        }, consume: { batch in
            for document in batch { try consume(document) }
            progress(feeds.reduce(0) { $0 + $1.fileBytesRead })
        })

        var counters = readerCounters
        for feed in feeds { counters.merge(feed.counters) }
        return Result(counters: counters, damagedFiles: feeds.flatMap(\.damagedFiles),
                      dedup: corpusFilters.map(\.report.json))
    }
}
