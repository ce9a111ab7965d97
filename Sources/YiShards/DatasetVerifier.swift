import Foundation
import YiCore

/// One thing `verify` found wrong, naming the file and (where it applies) the byte offset.
public struct VerifyProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var byteOffset: Int64?
    public var message: String

    public init(file: String, byteOffset: Int64? = nil, message: String) {
        self.file = file
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        byteOffset.map { "\(file): byte offset \($0): \(message)" } ?? "\(file): \(message)"
    }
}

public struct VerifyOptions: Sendable {
    /// Ids must be below this; default: the manifest's tokenizer vocabulary size.
    public var vocabularySize: Int?
    /// The id every document end must hold; default: the manifest's tokenizer EOS id.
    public var eosID: TokenID?
    /// Read every token (vocabulary, EOS and padding checks, `.bin` sha256). Without it only the
    /// index, sidecar structure and the small files' checksums are checked.
    public var checkTokens: Bool
    /// Problems listed per file before the rest are only counted.
    public var maximumProblemsPerFile: Int

    public init(vocabularySize: Int? = nil, eosID: TokenID? = nil, checkTokens: Bool = true, maximumProblemsPerFile: Int = 20) {
        self.vocabularySize = vocabularySize
        self.eosID = eosID
        self.checkTokens = checkTokens
        self.maximumProblemsPerFile = maximumProblemsPerFile
    }
}

public struct VerifyReport: Sendable {
    public var path: String
    public var problems: [VerifyProblem] = []
    /// Checks that were skipped and why (foreign shards have no sidecar or manifest, ...).
    public var notes: [String] = []
    public var shardsChecked = 0
    public var sequencesChecked = 0
    public var tokensChecked = 0

    public var isSound: Bool { problems.isEmpty }

    /// `.verifyFailed` summarising the problems, or nil when sound (the CLI exits with its status).
    public var failure: YiError? {
        guard let first = problems.first else { return nil }
        let more = problems.count > 1 ? " (and \(problems.count - 1) more problem\(problems.count == 2 ? "" : "s"))" : ""
        return YiError(.verifyFailed, first.message + more, context: .init(path: first.file, byteOffset: first.byteOffset))
    }
}

/// `yi-prep verify`: checks a pack output folder, a bucket folder or a shard prefix, including
/// Megatron `.bin/.idx` pairs made by other tools (checks needing our sidecar or manifest are
/// skipped and said so in `notes`). Reads files in a streaming way; memory does not grow with
/// the dataset.
public enum DatasetVerifier {
    /// Throws only when `path` holds no dataset; everything wrong inside is a problem in the report.
    public static func verify(path: String, options: VerifyOptions = VerifyOptions()) throws -> VerifyReport {
        verify(layout: try DatasetLayout.resolve(path), options: options)
    }

    public static func verify(layout: DatasetLayout, options: VerifyOptions = VerifyOptions()) -> VerifyReport {
        var report = VerifyReport(path: layout.path)
        let manifest = layout.manifest
        if let error = layout.manifestError {
            report.problems.append(VerifyProblem(file: layout.manifestPath ?? layout.path, byteOffset: error.context.byteOffset,
                                                 message: "manifest cannot be read: \(error.message)"))
        } else if manifest == nil {
            if layout.kind == .packOutput {
                report.problems.append(VerifyProblem(file: layout.path,
                                                     message: "no \(Manifest.fileName): an unfinished run (the manifest is written last)"))
            } else if let run = layout.unfinishedRunDirectory {
                report.problems.append(VerifyProblem(file: run, message: "no \(Manifest.fileName): these shards belong to an unfinished run (the manifest is written last)"))
            } else {
                report.notes.append("no \(Manifest.fileName) above the shards: sha256, manifest counts and source checks skipped")
            }
        }
        var expectations = ShardExpectations(
            vocabularySize: options.vocabularySize ?? manifest?.tokenizer?.vocabularySize,
            eosID: options.eosID ?? manifest?.tokenizer?.eosID.map { TokenID($0) },
            padID: manifest?.padID.map { TokenID($0) },
            sourceCount: manifest.map { $0.sources.isEmpty ? nil : $0.sources.count } ?? nil,
            options: options)
        if expectations.vocabularySize == nil {
            report.notes.append("vocabulary size unknown (no manifest tokenizer, no --vocab-size): ids checked only against the dtype's range")
        }
        if expectations.eosID == nil {
            report.notes.append("EOS id unknown: the token at each document end was not checked")
        }
        if !options.checkTokens {
            report.notes.append("tokens not read: vocabulary, EOS, padding and .bin sha256 checks skipped")
        }
        for bucket in layout.buckets {
            checkBucket(bucket, layout: layout, expectations: &expectations, report: &report)
        }
        if layout.kind == .packOutput, let manifest {
            for problem in Provenance.problems(outputDirectory: layout.path, manifest: manifest) {
                report.problems.append(VerifyProblem(file: joinPath(layout.path, Provenance.directoryName), message: problem))
            }
        }
        return report
    }

    private static func checkBucket(_ bucket: BucketLayout, layout: DatasetLayout, expectations: inout ShardExpectations,
                                    report: inout VerifyReport) {
        if bucket.manifest != nil, !FileManager.default.fileExists(atPath: bucket.directory) {
            report.problems.append(VerifyProblem(file: bucket.directory, message: "bucket folder listed in the manifest is missing"))
            return
        }
        if layout.manifest != nil, bucket.manifest == nil, layout.kind == .packOutput {
            report.problems.append(VerifyProblem(file: bucket.directory, message: "bucket folder is not listed in the manifest"))
        }
        if bucket.shards.isEmpty && bucket.manifest == nil {
            report.problems.append(VerifyProblem(file: bucket.directory, message: "bucket folder holds no shard (.idx)"))
        }
        for name in bucket.incompleteShards {
            report.problems.append(VerifyProblem(file: joinPath(bucket.directory, name),
                                                 message: "shard has .bin/.docs but no .idx: never completed (an interrupted run)"))
        }
        for name in bucket.temporaryFiles {
            report.problems.append(VerifyProblem(file: joinPath(bucket.directory, name),
                                                 message: "leftover temporary file of an interrupted writer"))
        }
        expectations.bucketDType = bucket.manifest?.dtype
        for shard in bucket.shards {
            if layout.manifest != nil, bucket.manifest != nil, shard.manifest == nil {
                report.problems.append(VerifyProblem(file: shard.idxPath, message: "shard is not listed in the manifest"))
            }
            var checker = ShardChecker(shard: shard, expectations: expectations)
            checker.run()
            report.problems += checker.problems.list
            for note in checker.notes where !report.notes.contains(note) { report.notes.append(note) }
            report.shardsChecked += 1
            report.sequencesChecked += checker.sequences
            report.tokensChecked += checker.tokensRead
        }
    }
}

/// What the dataset around a shard says its contents must satisfy.
struct ShardExpectations {
    var vocabularySize: Int?
    var eosID: TokenID?
    var padID: TokenID?
    var sourceCount: Int?
    var options: VerifyOptions
    var bucketDType: MegatronDType?
}

/// Problems of one file group, capped per file so a broken shard does not flood the report.
struct ProblemList {
    let limit: Int
    private(set) var list: [VerifyProblem] = []
    private var perFile: [String: Int] = [:]

    init(limit: Int) { self.limit = limit }

    mutating func add(_ file: String, _ offset: Int64?, _ message: String) {
        let count = perFile[file, default: 0] + 1
        perFile[file] = count
        if count <= limit { list.append(VerifyProblem(file: file, byteOffset: offset, message: message)) }
    }

    /// Appends "and N more" lines for files over the limit.
    mutating func summarise() {
        for (file, count) in perFile.sorted(by: { $0.key < $1.key }) where count > limit {
            list.append(VerifyProblem(file: file, message: "\(count - limit) more problems in this file not listed"))
        }
    }
}
