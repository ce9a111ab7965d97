import Foundation
import YiCore

extension ShardChecker {
    /// The loss-mask sidecar (docs/chat.md): present when the manifest lists one; header, size,
    /// sequence length and count against the bucket and the index; no trained bit on padding.
    /// Checksums are compared with the manifest's in `compareWithManifest`.
    mutating func checkMask() {
        let listed = shard.manifest?.mask != nil
        guard FileManager.default.fileExists(atPath: shard.maskPath) else {
            if listed { problems.add(shard.maskPath, nil, "loss-mask sidecar listed in the manifest is missing") }
            return
        }
        let mask: MaskSidecarFile
        do {
            mask = try MaskSidecarFile(path: shard.maskPath)
        } catch let error as YiError {
            problems.add(shard.maskPath, error.context.byteOffset, error.message)
            return
        } catch {
            problems.add(shard.maskPath, nil, "\(error)")
            return
        }
        if !listed && shard.manifest != nil {
            problems.add(shard.maskPath, nil, "a .mask sidecar the manifest does not list")
        }
        if let wanted = expectedLength, mask.sequenceLength != wanted {
            problems.add(shard.maskPath, 16, "mask sequence length \(mask.sequenceLength), the bucket length is \(wanted)")
            return
        }
        if let index, mask.sequenceCount != index.header.sequenceCount {
            problems.add(shard.maskPath, 24, "mask holds \(mask.sequenceCount) sequences but the index \(index.header.sequenceCount)")
            return
        }
        guard let sidecar else { return }
        do {
            var cursor = SidecarSequenceCursor(sidecar)
            while let (k, records) = try cursor.next(), k < mask.sequenceCount {
                let used = records.reduce(0) { $0 + Int($1.length) }
                guard used < mask.sequenceLength else { continue }
                let (padding, _) = try mask.trainedCounts(ofSequence: k, ranges: [used..<mask.sequenceLength])
                if padding[0] > 0 {
                    let offset = Int64(MaskSidecarFormat.headerSize) + Int64(k) * Int64(mask.recordSize)
                    problems.add(shard.maskPath, offset, "sequence \(k): \(padding[0]) padding position(s) marked as trained")
                }
            }
        } catch let error as YiError {
            problems.add(shard.docsPath, error.context.byteOffset, error.message)
        } catch {
            problems.add(shard.docsPath, nil, "\(error)")
        }
    }
}
