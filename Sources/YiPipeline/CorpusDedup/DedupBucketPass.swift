import Foundation
import YiCore

/// Pass 2, one key shard: gathers the shard's key records from every part, sorts them by key
/// then ordinal (in memory up to the budget, beyond it as sorted runs on disk merged at the end)
/// and writes one link per document that shares a key with an earlier one: (ordinal, ordinal of
/// the key's first document). Only the first document of a key is linked to, so a shard's links
/// are at most its records and never quadratic in a bucket's size.
struct DedupBucketPass {
    let shard: KeyShard
    let partCount: Int
    let options: CorpusDedupOptions
    let folder: DedupFolder

    /// Returns the marker's members.
    func run() throws -> [(String, JSONValue)] {
        let runBase = folder.linksPath(shard) + ".run-"
        var sorter = ExternalSorter<KeyRecord>(memoryBytes: options.memoryBytes / 2,
                                               runPath: { runBase + "\($0).tmp-\(getpid())" })
        for part in 0..<partCount { try sorter.append(contentsOf: folder.keysPath(part: part, shard: shard)) }

        let links = try AtomicFileWriter(path: folder.linksPath(shard))
        var linkCount = 0
        var current: KeyRecord?
        try sorter.drain { r in
            if let head = current, head.key1 == r.key1, head.key2 == r.key2 {
                try links.writeLittleEndian(r.ordinal)
                try links.writeLittleEndian(head.ordinal)
                linkCount += 1
            } else {
                current = r
            }
        }
        try links.commit()
        return [("records", .int(Int64(sorter.count))), ("links", .int(Int64(linkCount))),
                ("spilled_runs", .int(Int64(sorter.spilledRuns)))]
    }
}
