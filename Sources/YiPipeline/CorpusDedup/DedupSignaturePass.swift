import Foundation
import YiCore
import YiFilters
import YiReaders

/// Pass 1, one work part: reads the part's documents in order, computes their keys on the
/// worker threads and writes `docs/part-P.jsonl` and `keys/part-P/*.bin` (see `DedupFolder`).
struct DedupSignaturePass {
    let part: WorkPart
    let inputs: [(DiscoveredInput, ReaderOptions)]
    let options: CorpusDedupOptions
    let folder: DedupFolder
    let rejects: RejectLog
    let log: @Sendable (String) -> Void

    /// What the workers compute for one document.
    private struct Signed {
        var source: String
        var path: String
        var position: String
        var id: String
        var exact: ContentHash128?
        var bands: [UInt64]
    }

    /// Ordinals sort in input order over the whole run: the part index above bit 40.
    static func ordinal(part: Int, local: Int) -> UInt64 { UInt64(part) << 40 | UInt64(local) }

    /// Returns the marker's members: document counts, per source.
    func run() throws -> [(String, JSONValue)] {
        let keysDirectory = folder.keysDirectory(part: part.index)
        try? FileManager.default.removeItem(atPath: keysDirectory)
        try DedupFolder.createDirectory(keysDirectory)
        var shards: [KeyShard] = []
        if options.exact != nil { shards += (0..<options.keyShards).map { KeyShard(kind: .exact, index: $0) } }
        if options.near != nil { shards += (0..<options.keyShards).map { KeyShard(kind: .near, index: $0) } }
        // Writer buffers share a quarter of the memory budget.
        let bufferBytes = max(4096, min(1 << 20, options.memoryBytes / 4 / max(1, shards.count)))
        var writers: [KeyShard.Kind: [AtomicFileWriter]] = [:]
        for shard in shards {
            writers[shard.kind, default: []].append(try AtomicFileWriter(path: folder.keysPath(part: part.index, shard: shard),
                                                                         bufferCapacity: bufferBytes))
        }
        let docs = try AtomicFileWriter(path: folder.docsPath(part: part.index))

        var local = 0
        var sources: [String: Int] = [:]
        var line = ""
        func write(_ record: (UInt64, UInt64, UInt64), to kind: KeyShard.Kind) throws {
            let writer = writers[kind]![KeyShard.index(record.0, record.1, shards: options.keyShards)]
            try writer.writeLittleEndian(record.0)
            try writer.writeLittleEndian(record.1)
            try writer.writeLittleEndian(record.2)
        }

        let exactOptions = options.exact
        let nearOptions = options.near
        let pool = OrderedWorkPool<(InputFormat, DocumentBatch), [Signed]>(threads: options.threads)
        try pool.run(makeWorker: {
            var signer = DocumentSigner(exact: exactOptions, near: nearOptions)
            var keys: [UInt64] = []
            return { item in
                item.1.documents.map { document in
                    let exact = exactOptions != nil ? signer.exactHash(document.text) : nil
                    let hasBands = nearOptions != nil && signer.bandKeys(document.text, into: &keys)
                    return Signed(source: document.source, path: document.location.path,
                                  position: DocumentPosition.of(document, format: item.0), id: document.id,
                                  exact: exact, bands: hasBands ? keys : [])
                }
            }
        }, produce: { [inputs, rejects, log] submit in
            for (input, reader) in inputs {
                let feed = DocumentFeed(inputs: [input], options: reader, rejects: rejects)
                try feed.run { batch in try submit((input.format, batch)) }
                // Damage ends a file's documents where it happened, as in `pack`.
                for damage in feed.damagedFiles { log("warning: \(damage)") }
            }
        }, consume: { batch in
            for signed in batch {
                let ordinal = Self.ordinal(part: part.index, local: local)
                local += 1
                sources[signed.source, default: 0] += 1
                line.removeAll(keepingCapacity: true)
                JSONWriter.write(.array([.string(signed.source), .string(signed.path), .string(signed.position), .string(signed.id)]),
                                 into: &line)
                line.append("\n")
                try docs.write(line)
                if let exact = signed.exact { try write((exact.high, exact.low, ordinal), to: .exact) }
                for (band, key) in signed.bands.enumerated() { try write((UInt64(band), key, ordinal), to: .near) }
            }
        })
        for writer in writers.values.joined() { try writer.commit() }
        try docs.commit()
        return [
            ("documents", .int(Int64(local))),
            ("bytes", .int(part.bytes)),
            ("sources", .object(sources.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
        ]
    }
}
