import YiIO

/// What an input file holds once decompressed.
public enum InputFormat: String, Sendable, CustomStringConvertible {
    /// One JSON object per line.
    case jsonl
    /// A MediaWiki XML export (`pages-articles` dumps, `Special:Export`).
    case mediaWikiXML = "mediawiki-xml"

    public var description: String { rawValue }
}

/// One input file with its detected format, ready for `openDocumentSource`; or one slice of a
/// large file (`range`, made by `sliceInput`), read on its own.
public struct DiscoveredInput: Sendable, Equatable, Hashable {
    public var path: String
    public var format: InputFormat
    public var compression: Compression
    /// Size on disk in bytes (compressed size for compressed files).
    public var size: Int64
    /// The slice of the file to read, nil for the whole file. A file is either read whole or
    /// entirely as slices; document ids and locations of a sliced file follow `sliceInput`'s rules.
    public var range: ByteRange?

    public init(path: String, format: InputFormat, compression: Compression, size: Int64, range: ByteRange? = nil) {
        self.path = path
        self.format = format
        self.compression = compression
        self.size = size
        self.range = range
    }

    /// The bytes on disk this input reads: its slice, or the whole file.
    public var bytes: Int64 { range?.count ?? size }
}

/// A file that was found but will not be read, and why.
public struct SkippedInput: Sendable, Equatable, Hashable {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// The result of expanding the command line's inputs.
public struct InputDiscovery: Sendable, Equatable {
    /// Files to read, in a deterministic order: arguments in the order given, each directory's
    /// and glob's files sorted by path (bytewise); a file named twice is kept once.
    public var inputs: [DiscoveredInput] = []
    /// Files we cannot read (unknown extension, unsupported compression, content that contradicts
    /// the name). Callers report them; they are not silently dropped.
    public var unsupported: [SkippedInput] = []
    /// Files passed over on purpose: empty files, and while walking directories hidden files and
    /// yi-prep's own outputs (shards, manifests, temporary files).
    public var ignored: [SkippedInput] = []

    public init() {}

    public var totalBytes: Int64 { inputs.reduce(0) { $0 + $1.size } }
}
