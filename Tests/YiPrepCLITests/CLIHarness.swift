import Foundation
import YiCore
import YiIO
import YiPrepCLI
import YiShards
import YiTestSupport

/// Runs the real command tree in-process and returns its exit status and stderr lines.
@discardableResult
func yiPrep(_ arguments: [String]) -> (status: Int32, errors: [String]) {
    var errors: [String] = []
    let status = YiPrep.run(arguments, standardError: { errors.append($0) })
    return (status, errors)
}

/// Every file under a folder (relative path → bytes), for byte-identity checks between runs.
func folderContents(_ path: String) throws -> [String: Data] {
    var files: [String: Data] = [:]
    let root = URL(fileURLWithPath: path)
    let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
    for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
        files[String(url.path.dropFirst(root.path.count))] = try Data(contentsOf: url)
    }
    return files
}

/// Decompressed lines of a `.jsonl.zst` file (YiIO's decoder).
func zstdLines(_ path: String) throws -> [String] {
    let reader = LineReader(stream: try openByteStream(path: path, compression: .zstd))
    var lines: [String] = []
    while let line = try reader.next() {
        lines.append(String(decoding: line.bytes, as: UTF8.self))
    }
    return lines
}

/// Documents reassembled from a pack output's shards and sidecars: ordinal → tokens, parts joined
/// in order. Fails the caller (throws) if a document's parts are not contiguous.
func reassembledDocuments(_ out: String) throws -> [Int: [TokenID]] {
    let layout = try DatasetLayout.resolve(out)
    var parts: [Int: [(Int, [TokenID])]] = [:]
    for bucket in layout.buckets {
        let reader = try BucketReader(bucket: bucket)
        for n in 0..<reader.sequenceCount {
            let sequence = try reader.sequence(n)
            for span in sequence.spans ?? [] {
                parts[span.documentOrdinal, default: []].append((span.part, Array(sequence.tokens[span.offset..<(span.offset + span.length)])))
            }
        }
    }
    var documents: [Int: [TokenID]] = [:]
    for (ordinal, pieces) in parts {
        let sorted = pieces.sorted { $0.0 < $1.0 }
        guard sorted.map(\.0) == Array(0..<sorted.count) else {
            throw YiError(.verifyFailed, "document \(ordinal) has parts \(sorted.map(\.0))")
        }
        documents[ordinal] = sorted.flatMap(\.1)
    }
    return documents
}
