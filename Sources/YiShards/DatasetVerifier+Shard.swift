import YiCore

/// Checks one shard: the `.idx` structure, the `.bin` size and tokens, the sidecar, and the
/// manifest's checksums and counts. Every problem names the file and, where it applies, the
/// byte offset.
struct ShardChecker {
    let shard: ShardLayout
    let expectations: ShardExpectations
    var problems: ProblemList
    var notes: [String] = []
    /// Sequences and tokens the index declares / the token pass read (for the report).
    var sequences = 0
    var tokensRead = 0

    /// What the index showed, used by the token pass.
    var index: MegatronIndexFile?
    var uniformLength: Int?
    var structureSound = false
    var declaredTokens: Int64 = 0
    var sidecar: BoundarySidecarFile?
    /// Counts observed in the sidecar, compared with the manifest at the end.
    var observed = ObservedCounts()

    struct ObservedCounts {
        var padTokens = 0
        var spans = 0
        var documentEnds = 0
        var splitDocuments = 0
        var complete = false
    }

    init(shard: ShardLayout, expectations: ShardExpectations) {
        self.shard = shard
        self.expectations = expectations
        problems = ProblemList(limit: expectations.options.maximumProblemsPerFile)
    }

    /// Ours: made by yi-prep (listed in a manifest or with a sidecar), so stricter rules apply.
    var isOurs: Bool { shard.manifest != nil || shard.docsExists }

    var expectedLength: Int? { shard.sequenceLength ?? sidecar?.sequenceLength }

    mutating func run() {
        defer { problems.summarise() }
        guard shard.idxExists else {
            problems.add(shard.idxPath, nil, shard.binExists
                ? "no .idx: the shard was never completed (an interrupted run)"
                : "shard listed in the manifest is missing")
            return
        }
        do {
            index = try MegatronIndexFile(path: shard.idxPath)
        } catch let error as YiError {
            problems.add(shard.idxPath, error.context.byteOffset, error.message)
            return
        } catch {
            problems.add(shard.idxPath, nil, "\(error)")
            return
        }
        openSidecar()
        checkIndex()
        checkBinSize()
        if expectations.options.checkTokens && shard.binExists {
            tokenPass()
        } else {
            sidecarPass()
        }
        checkMask()
        compareWithManifest()
    }

    // MARK: index

    private mutating func checkIndex() {
        guard let index else { return }
        let header = index.header
        let path = shard.idxPath
        sequences = header.sequenceCount
        let size = index.file.size
        let expected = header.expectedIndexSize
        if header.sequenceCount > 0, size == expected + Int64(header.sequenceCount), !isOurs {
            notes.append("\(shard.name): index carries multimodal sequence modes (not checked)")
        } else if size != expected {
            problems.add(path, expected, "index has \(size - expected) bytes after its document indices (expected size \(expected))")
        }
        if let wanted = expectations.bucketDType, wanted != header.dtype {
            problems.add(path, MegatronFormat.dtypeOffset, "dtype is \(header.dtype.name) but the manifest says \(wanted.name)")
        }
        if !header.dtype.isInteger {
            problems.add(path, MegatronFormat.dtypeOffset, "dtype \(header.dtype.name) cannot hold token ids")
        }
        if let vocabulary = expectations.vocabularySize, header.dtype.isInteger,
           header.dtype.maximumTokenID < UInt64(max(0, vocabulary - 1)) {
            problems.add(path, MegatronFormat.dtypeOffset, "dtype \(header.dtype.name) cannot hold a vocabulary of \(vocabulary)")
        }
        if isOurs && header.documentCount != header.sequenceCount + 1 {
            problems.add(path, MegatronFormat.documentCountOffset,
                         "document count \(header.documentCount) should be sequences + 1 = \(header.sequenceCount + 1) (one document per sequence)")
        }
        if let sidecar, sidecar.sequenceCount != header.sequenceCount {
            problems.add(shard.docsPath, sidecar.file.size - 32,
                         "sidecar holds \(sidecar.sequenceCount) sequences but the index \(header.sequenceCount)")
        }
        do {
            try checkLengthsAndPointers(index)
            try checkDocumentIndices(index)
        } catch let error as YiError {
            problems.add(path, error.context.byteOffset, error.message)
        } catch {
            problems.add(path, nil, "\(error)")
        }
    }

    private mutating func checkLengthsAndPointers(_ index: MegatronIndexFile) throws {
        let count = index.header.sequenceCount
        let width = Int64(index.header.dtype.byteWidth)
        let path = shard.idxPath
        var lengths = index.lengthsCursor()
        var pointers = index.pointersCursor()
        var expectedPointer: Int64 = 0
        var uniform: Int? = nil
        var allEqual = true
        var consistent = true
        for k in 0..<count {
            let length = try lengths.next(Int32.self, what: "sequence lengths")
            let pointer = try pointers.next(Int64.self, what: "sequence pointers")
            if length <= 0 {
                problems.add(path, index.lengthOffset(k), "sequence \(k) has length \(length)")
                consistent = false
            } else if isOurs, let wanted = expectedLength, Int(length) != wanted {
                problems.add(path, index.lengthOffset(k), "sequence \(k) has \(length) tokens, the bucket length is \(wanted)")
            }
            if k == 0 { uniform = Int(length) } else if Int(length) != uniform { allEqual = false }
            if pointer != expectedPointer {
                problems.add(path, index.pointerOffset(k),
                             "sequence \(k) pointer is \(pointer), expected \(expectedPointer) (previous pointer + length × \(width) bytes)")
                consistent = false
                expectedPointer = pointer
            }
            // A hostile pointer near Int64.max must not overflow the next expected one.
            let (next, overflow) = expectedPointer.addingReportingOverflow(Int64(max(0, length)) * width)
            if overflow {
                problems.add(path, index.pointerOffset(k), "sequence \(k) pointer \(pointer) plus its length is beyond any file")
                consistent = false
                break
            }
            expectedPointer = next
            declaredTokens += Int64(max(0, length))
        }
        uniformLength = allEqual ? uniform : nil
        structureSound = consistent
    }

    private mutating func checkDocumentIndices(_ index: MegatronIndexFile) throws {
        let header = index.header
        let path = shard.idxPath
        guard header.documentCount > 0 else {
            problems.add(path, MegatronFormat.documentCountOffset, "document count is 0; Megatron needs at least [0, ..., N]")
            return
        }
        var cursor = index.documentIndicesCursor()
        var previous: Int64 = -1
        for d in 0..<header.documentCount {
            let value = try cursor.next(Int64.self, what: "document indices")
            let offset = index.documentIndexOffset(d)
            if d == 0 && value != 0 {
                problems.add(path, offset, "document_indices[0] is \(value), expected 0")
            } else if value < previous || value > Int64(header.sequenceCount) {
                problems.add(path, offset, "document_indices[\(d)] = \(value) is out of order or beyond \(header.sequenceCount) sequences")
            } else if isOurs && value != Int64(d) {
                problems.add(path, offset, "document_indices[\(d)] = \(value), expected \(d) (one document per sequence)")
            }
            previous = value
        }
        if previous != Int64(header.sequenceCount) {
            problems.add(path, index.documentIndexOffset(header.documentCount - 1),
                         "last document index is \(previous), Megatron requires it to equal the sequence count \(header.sequenceCount)")
        }
    }

    private mutating func checkBinSize() {
        guard let index else { return }
        guard shard.binExists else {
            problems.add(shard.binPath, nil, "token file is missing")
            structureSound = false
            return
        }
        guard let bin = try? ReadOnlyFile(path: shard.binPath) else {
            problems.add(shard.binPath, nil, "token file cannot be opened")
            structureSound = false
            return
        }
        let expected = declaredTokens * Int64(index.header.dtype.byteWidth)
        if bin.size != expected {
            let what = bin.size < expected ? "truncated" : "longer than its index says"
            problems.add(shard.binPath, min(bin.size, expected),
                         "token file is \(what): \(bin.size) bytes, the index needs \(expected) (\(declaredTokens) tokens × \(index.header.dtype.byteWidth))")
            structureSound = false
        }
    }

    // MARK: sidecar

    private mutating func openSidecar() {
        guard shard.docsExists else {
            if isOurs {
                problems.add(shard.docsPath, nil, "boundary sidecar is missing")
            } else {
                notes.append("no .docs sidecar (Megatron shards made by another tool): boundary checks skipped")
            }
            return
        }
        do {
            sidecar = try BoundarySidecarFile(path: shard.docsPath)
        } catch let error as YiError {
            problems.add(shard.docsPath, error.context.byteOffset, error.message)
        } catch {
            problems.add(shard.docsPath, nil, "\(error)")
        }
        if let sidecar, let wanted = shard.sequenceLength, sidecar.sequenceLength != wanted {
            problems.add(shard.docsPath, 16, "sidecar sequence length \(sidecar.sequenceLength), the bucket length is \(wanted)")
        }
    }

    // MARK: manifest

    private mutating func compareWithManifest() {
        guard let entry = shard.manifest else { return }
        for (ext, digest) in entry.files {
            let path = shard.prefix + "." + ext
            if ext == ShardFiles.binExtension && !expectations.options.checkTokens { continue }
            guard let file = try? ReadOnlyFile(path: path) else { continue }  // missing files are reported above
            if file.size != digest.bytes {
                problems.add(path, nil, "size \(file.size) bytes, the manifest says \(digest.bytes)")
            }
            let actual = ext == ShardFiles.binExtension ? binSHA256 : (try? file.sha256())
            if let actual, actual != digest.sha256 {
                problems.add(path, nil, "sha256 \(actual) does not match the manifest's \(digest.sha256)")
            }
        }
        let manifestPath = shard.idxPath
        func compare(_ what: String, _ listed: Int, _ actual: Int) {
            if listed != actual {
                problems.add(manifestPath, nil, "the manifest lists \(listed) \(what) for this shard, the files hold \(actual)")
            }
        }
        if let index {
            compare("sequences", entry.sequences, index.header.sequenceCount)
            compare("tokens", entry.tokens, Int(declaredTokens))
        }
        if observed.complete {
            compare("pad tokens", entry.padTokens, observed.padTokens)
            compare("spans", entry.spans, observed.spans)
            compare("document ends", entry.documentEnds, observed.documentEnds)
            compare("split documents", entry.splitDocuments, observed.splitDocuments)
        }
    }

    /// Set by the token pass.
    var binSHA256: String?
}
