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
}

/// Reads a list of inputs, filters and tokenizes the documents on worker threads, and hands them
/// back in input order — the shared front half of `pack` and of the mixing counting pass.
///
/// Filter placement: text filters run on the workers (one copy each); deduplication needs the
/// documents in input order, so it runs on the reader thread before documents are dispatched;
/// token-length filters run on the workers after tokenizing. Dedup state lives for one stream
/// (one work part), which keeps parts independent (see `WorkPart`).
struct EncodedStream {
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
        var readerCounters = Counters()   // touched by the reader thread only, read after the run

        let pool = OrderedWorkPool<DocumentBatch, [EncodedDocument]>(threads: options.threads)
        try pool.run(makeWorker: { [model] in
            let encoder = SentencePieceEncoder(model: model)
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
                                                  textBytes: document.text.utf8.count, dropReason: nil)
                    for n in textFilters.indices {
                        if case .drop(let reason) = textFilters[n].verdict(for: document) {
                            encoded.dropReason = reason
                            return encoded
                        }
                    }
                    var ids: [TokenID] = []
                    ids.reserveCapacity(encoded.textBytes / 3 + 2)
                    if let bos { ids.append(bos) }
                    var text = document.text
                    _ = text.withUTF8 { encoder.encode(utf8: $0, into: &ids) }
                    if let eos { ids.append(eos) }
                    for filter in tokenFilters {
                        if case .drop(let reason) = filter.verdict(tokenCount: ids.count) {
                            encoded.dropReason = reason
                            return encoded
                        }
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
