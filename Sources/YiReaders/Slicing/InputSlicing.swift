import YiCore
import YiIO

/// A file cut into slices, or left whole.
public struct SlicedInput: Sendable, Equatable {
    /// The slices in file order (each with `range` set), or the file itself when it was not cut.
    public var slices: [DiscoveredInput]
    /// Why a file larger than the target was not cut (or cut less): for the user's log.
    public var note: String?
}

/// Cuts a file larger than `targetBytes` into slices that can be read independently, for parts of
/// about `targetBytes` (`--part-bytes`). Where a cut may fall depends on the format:
///
/// - Plain JSON lines: anywhere. A slice owns the lines whose first byte lies in it
///   (`LineSliceByteStream`), so cuts are simply multiples of `targetBytes` and cost no reading.
/// - `.zst`: at a zstd frame start, found by walking frame headers (`ZstdFrameWalker`). For JSON
///   lines the frame before the cut must end with `\n` (frames of pzstd or the seekable format
///   may end mid-line); for MediaWiki XML the frame must start with `<page>`.
/// - `.bz2` MediaWiki XML (Wikipedia's multistream dumps): at a bzip2 stream start whose content
///   starts with `<page>`; candidates are found by scanning (`Bzip2StreamScanner`) and proven by
///   decoding the stream.
/// - Anything else (gzip, plain XML, bzip2 JSON lines, single-frame zstd) is read whole.
///
/// Each cut is the first valid point at or after the previous cut plus `targetBytes`, so the cuts
/// depend only on the file's bytes and `targetBytes` (never on ranks or threads). Files no larger
/// than `targetBytes` are never cut: their document ids and output stay those of a whole file.
public func sliceInput(_ input: DiscoveredInput, targetBytes: Int64) -> SlicedInput {
    precondition(targetBytes > 0 && input.range == nil)
    guard input.size > targetBytes else { return SlicedInput(slices: [input], note: nil) }
    var finder = SplitPointFinder(input: input, targetBytes: targetBytes)
    let cuts: [Int64]
    do {
        cuts = try finder.cuts()
    } catch {
        // Damage found while looking (a broken frame header): the reader reports it; read whole.
        return SlicedInput(slices: [input], note: "read whole: \(error)")
    }
    guard !cuts.isEmpty else { return SlicedInput(slices: [input], note: finder.note) }
    let bounds = [0] + cuts + [input.size]
    let slices = zip(bounds, bounds.dropFirst()).map { start, end in
        var slice = input
        slice.range = ByteRange(start: start, end: end)
        return slice
    }
    return SlicedInput(slices: slices, note: finder.note)
}

/// The search behind `sliceInput`, one file at a time.
struct SplitPointFinder {
    let input: DiscoveredInput
    let targetBytes: Int64
    private(set) var note: String?

    /// Candidates tried per cut before the search moves on to the next target; bounds the
    /// decoding done for files whose frames rarely end at a line end.
    static let attemptsPerCut = 4
    /// How far past a target a bzip2 stream start is looked for.
    static let bzip2SearchBytes: Int64 = 64 << 20

    init(input: DiscoveredInput, targetBytes: Int64) {
        self.input = input
        self.targetBytes = targetBytes
    }

    mutating func cuts() throws -> [Int64] {
        switch (input.compression, input.format) {
        case (.none, .jsonl):
            return Array(stride(from: targetBytes, to: input.size, by: Int(targetBytes)))
        case (.zstd, _):
            return try zstdCuts()
        case (.bzip2, .mediaWikiXML):
            return try bzip2Cuts()
        case (.none, .mediaWikiXML):
            note = "plain XML is read whole: compress it as a multistream .bz2 or multi-frame .zst to have it cut"
        case (.bzip2, .jsonl):
            note = "bzip2 JSON lines are read whole"
        case (.gzip, _):
            note = "gzip files cannot be cut: read whole"
        }
        return []
    }

    private mutating func zstdCuts() throws -> [Int64] {
        let walker = try ZstdFrameWalker(path: input.path)
        var cuts: [Int64] = []
        var target = targetBytes
        var attempts = 0
        var previous: ZstdFrame?
        var frames = 0
        do {
            while let frame = try walker.next() {
                defer { previous = frame; frames += 1 }
                guard frame.start >= target, !frame.isSkippable, let before = previous else { continue }
                if try isZstdCut(frame: frame, after: before) {
                    cuts.append(frame.start)
                    target = frame.start + targetBytes
                    attempts = 0
                } else {
                    attempts += 1
                    if attempts == Self.attemptsPerCut {
                        target += targetBytes
                        attempts = 0
                    }
                }
            }
        } catch let error as YiError where error.code == .corruptInput {
            // Cut only before the damage; the reader of the last slice reports it.
            note = "zstd frames after byte \(error.context.byteOffset ?? 0) are unreadable: not cut there"
        }
        if cuts.isEmpty && note == nil {
            note = frames == 1
                ? "one zstd frame: read whole (multi-frame files, e.g. from pzstd or the seekable format, can be cut)"
                : "no zstd frame boundary falls between \(input.format == .jsonl ? "lines" : "pages"): read whole"
        }
        return cuts
    }

    private func isZstdCut(frame: ZstdFrame, after before: ZstdFrame) throws -> Bool {
        switch input.format {
        case .jsonl:
            guard !before.isSkippable else { return false }
            return try Self.lastByte(path: input.path, compression: .zstd, range: ByteRange(start: before.start, end: before.end)) == 0x0A
        case .mediaWikiXML:
            return try Self.startsWithPage(path: input.path, compression: .zstd, range: ByteRange(start: frame.start, end: frame.end))
        }
    }

    private mutating func bzip2Cuts() throws -> [Int64] {
        var cuts: [Int64] = []
        var target = targetBytes
        while target < input.size {
            var from = target
            var found: Int64?
            let limit = min(input.size, target + Self.bzip2SearchBytes)
            for _ in 0..<Self.attemptsPerCut {
                guard let candidate = try Bzip2StreamScanner.nextCandidate(path: input.path, from: from, to: limit) else { break }
                if try Self.startsWithPage(path: input.path, compression: .bzip2, range: ByteRange(start: candidate, end: input.size)) {
                    found = candidate
                    break
                }
                from = candidate + 1
            }
            if let found {
                cuts.append(found)
                target = found + targetBytes
            } else {
                target += targetBytes
            }
        }
        if cuts.isEmpty {
            note = "no bzip2 stream starting with <page> near the cut points (not a multistream dump?): read whole"
        }
        return cuts
    }

    /// The last decompressed byte of a run of whole frames or streams, nil when it is empty or damaged.
    static func lastByte(path: String, compression: Compression, range: ByteRange) throws -> UInt8? {
        let stream = try decompressing(FileByteStream(path: path, range: range), compression)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var last: UInt8?
        do {
            while true {
                let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
                if n == 0 { return last }
                last = chunk[n - 1]
            }
        } catch let error as YiError where error.code == .corruptInput {
            return nil
        }
    }

    /// True when the compressed data at `range.start` decodes, and its first stream or frame decodes
    /// completely (so a chance match of a bzip2 magic is rejected by its CRCs), to content that
    /// begins, after whitespace, with `<page>`.
    static func startsWithPage(path: String, compression: Compression, range: ByteRange) throws -> Bool {
        let stream = try decompressing(FileByteStream(path: path, range: range), compression)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var head: [UInt8] = []
        var decoded = 0
        do {
            while true {
                let n = try chunk.withUnsafeMutableBytes { try stream.read(into: $0) }
                if head.count < 64 { head += chunk[..<min(n, 64 - head.count)] }
                decoded += n
                let firstDone = (stream as? Bzip2ByteStream).map { $0.streamsDecoded > 0 } ?? (n == 0)
                // A bzip2 block holds at most 46 MB of content: past it, the first CRC was checked.
                if n == 0 || firstDone || decoded > 64 << 20 { break }
            }
        } catch let error as YiError where error.code == .corruptInput {
            return false
        }
        let text = head.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        return MediaWikiSliceByteStream.firstPageTag(in: Array(text) + [0], from: 0) == 0
    }
}
