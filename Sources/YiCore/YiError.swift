/// The one error type of yi-prep (see README "Exit codes").
///
/// A `code` that can grow, a human message, where it happened (`context`), and an optional
/// lower-level `cause` (a zstd/libxml2/errno message) that `--verbose` shows.
public struct YiError: Error, CustomStringConvertible, Sendable {
    public var code: Code
    public var message: String
    public var context: Context
    public var cause: String?

    public init(_ code: Code, _ message: String, context: Context = Context(), cause: String? = nil) {
        self.code = code
        self.message = message
        self.context = context
        self.cause = cause
    }

    /// Where an error happened. Every field is optional; the description prints what is known.
    public struct Context: Sendable, Equatable {
        public var path: String?
        public var byteOffset: Int64?
        public var line: Int?
        public var documentID: String?

        public init(path: String? = nil, byteOffset: Int64? = nil, line: Int? = nil, documentID: String? = nil) {
            self.path = path
            self.byteOffset = byteOffset
            self.line = line
            self.documentID = documentID
        }
    }

    /// An open set of error codes; each maps to a documented process exit status.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Bad command-line usage or configuration (a bad pipeline file, conflicting flags).
        public static let usage = Code(rawValue: "usage")
        /// A file or directory could not be written (or an output could not be read back).
        public static let io = Code(rawValue: "io")
        /// An input (a corpus file, a dataset, a config) does not exist or cannot be opened or
        /// read, or was named explicitly but cannot be used. Same exit status as `.usage`: the
        /// command line asked for something that is not there.
        public static let input = Code(rawValue: "input")
        /// A file's bytes are damaged: truncated or corrupt compressed stream, broken XML.
        public static let corruptInput = Code(rawValue: "corrupt-input")
        /// A single record could not be used (only thrown under `--strict`; otherwise counted).
        public static let rejectedRecord = Code(rawValue: "rejected-record")
        /// An input's format could not be recognised.
        public static let unknownFormat = Code(rawValue: "unknown-format")
        /// A tokenizer model could not be found, parsed, or is of an unsupported kind.
        public static let tokenizer = Code(rawValue: "tokenizer")
        /// `verify` found a problem in a dataset.
        public static let verifyFailed = Code(rawValue: "verify-failed")
        /// An output folder is in a state we refuse to touch (e.g. finished run without --force).
        public static let outputState = Code(rawValue: "output-state")

        /// Process exit status for this code (documented in README "Exit codes").
        public var exitStatus: Int32 {
            switch self {
            case .usage, .input: return 2
            case .corruptInput, .unknownFormat: return 3
            case .rejectedRecord: return 4
            case .verifyFailed: return 5
            case .tokenizer: return 6
            case .io, .outputState: return 7
            default: return 1
            }
        }
    }

    /// `path:line: (byte N) message` — what a user sees without `--verbose`.
    public var description: String {
        var location: [String] = []
        if let path = context.path {
            var p = path
            if let line = context.line { p += ":\(line)" }
            location.append(p)
        } else if let line = context.line {
            location.append("line \(line)")
        }
        if let offset = context.byteOffset { location.append("byte offset \(offset)") }
        if let id = context.documentID { location.append("document \(id)") }
        let prefix = location.isEmpty ? "" : location.joined(separator: ", ") + ": "
        return prefix + message
    }

    /// The description plus the code and the low-level cause.
    public var verboseDescription: String {
        var text = "\(description) [\(code.rawValue)]"
        if let cause { text += "\n  caused by: \(cause)" }
        return text
    }

    /// Returns a copy with missing context fields filled from `outer`.
    public func adding(_ outer: Context) -> YiError {
        var copy = self
        copy.context.path = copy.context.path ?? outer.path
        copy.context.byteOffset = copy.context.byteOffset ?? outer.byteOffset
        copy.context.line = copy.context.line ?? outer.line
        copy.context.documentID = copy.context.documentID ?? outer.documentID
        return copy
    }
}
