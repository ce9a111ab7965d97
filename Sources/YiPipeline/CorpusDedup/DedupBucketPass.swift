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
        let chunkRecords = max(1 << 12, options.memoryBytes / 2 / MemoryLayout<KeyRecord>.stride)
        var chunk: [KeyRecord] = []
        chunk.reserveCapacity(min(chunkRecords, 1 << 20))
        var runs: [String] = []
        var records = 0
        defer { for run in runs { unlink(run) } }

        func spill() throws {
            chunk.sort()
            let path = folder.linksPath(shard) + ".run-\(runs.count).tmp-\(getpid())"
            let writer = try AtomicFileWriter(path: path)
            for r in chunk {
                try writer.writeLittleEndian(r.key1)
                try writer.writeLittleEndian(r.key2)
                try writer.writeLittleEndian(r.ordinal)
            }
            try writer.commit()
            runs.append(path)
            chunk.removeAll(keepingCapacity: true)
        }

        for part in 0..<partCount {
            var reader = try WordRecordReader(path: folder.keysPath(part: part, shard: shard), width: 3)
            defer { reader.close() }
            while try reader.next() {
                chunk.append(KeyRecord(key1: reader[0], key2: reader[1], ordinal: reader[2]))
                records += 1
                if chunk.count >= chunkRecords { try spill() }
            }
        }

        let links = try AtomicFileWriter(path: folder.linksPath(shard))
        var linkCount = 0
        var current: KeyRecord?
        func take(_ r: KeyRecord) throws {
            if let head = current, head.key1 == r.key1, head.key2 == r.key2 {
                try links.writeLittleEndian(r.ordinal)
                try links.writeLittleEndian(head.ordinal)
                linkCount += 1
            } else {
                current = r
            }
        }
        if runs.isEmpty {
            chunk.sort()
            for r in chunk { try take(r) }
        } else {
            if !chunk.isEmpty { try spill() }
            chunk = []
            try merge(runs: runs, into: take)
        }
        try links.commit()
        return [("records", .int(Int64(records))), ("links", .int(Int64(linkCount))), ("spilled_runs", .int(Int64(runs.count)))]
    }

    /// K-way merge of sorted run files (a binary heap over the runs' current records).
    private func merge(runs: [String], into take: (KeyRecord) throws -> Void) throws {
        var readers = try runs.map { try WordRecordReader(path: $0, width: 3, blockRecords: 1 << 12) }
        defer { for reader in readers { reader.close() } }
        var heap: [(KeyRecord, Int)] = []
        func push(_ item: (KeyRecord, Int)) {
            heap.append(item)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[i].0 < heap[parent].0 else { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }
        func pop() -> (KeyRecord, Int) {
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l].0 < heap[m].0 { m = l }
                    if r < heap.count && heap[r].0 < heap[m].0 { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
        for n in readers.indices where try readers[n].next() {
            push((KeyRecord(key1: readers[n][0], key2: readers[n][1], ordinal: readers[n][2]), n))
        }
        while !heap.isEmpty {
            let (record, n) = pop()
            try take(record)
            if try readers[n].next() {
                push((KeyRecord(key1: readers[n][0], key2: readers[n][1], ordinal: readers[n][2]), n))
            }
        }
    }
}
