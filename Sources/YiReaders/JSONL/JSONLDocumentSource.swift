import YiCore
import YiIO

extension RejectReason {
    /// The text field's key occurs twice in one object (`{"text": "a", "text": "b"}`): JSON
    /// parsers disagree on which value wins, so neither is used.
    public static let duplicateTextField = RejectReason("duplicate-text-field")
}

/// Documents from JSON Lines (plain or decompressed on the fly), one object per line.
///
/// Each line is parsed strictly; the text comes from `ReaderOptions.textField`, every other field
/// is kept in `Document.meta`. Lines that cannot be used are counted in the `RejectLog` with their
/// reason (`malformed-json`, `not-an-object`, `missing-text`, `non-string-text`, `empty-text`,
/// `invalid-utf8`, `duplicate-text-field`); blank lines are counted as `empty-line` but never stop a
/// `--strict` run. A UTF-8 byte order mark before the first line is allowed.
public final class JSONLDocumentSource: InputDocumentSource {
    public let input: DiscoveredInput
    private let lines: LineReader
    private let parser = JSONLineParser()
    private let rejects: RejectLog
    private let textPath: FieldPath
    private let idPath: FieldPath
    private let sourcePath: FieldPath?
    private let fixedSource: String?
    private let defaultSource: String
    private let locator: JSONLRecordLocator
    private let chat: ChatOptions?
    private let forbidden: ControlLiteralScanner
    private var finished = false
    public private(set) var counters = Counters()

    public var fileBytesRead: Int64 { lines.stream.fileBytesRead }
    public var decompressedBytesRead: Int64 { lines.bytesRead }

    public init(input: DiscoveredInput, stream: ByteStream, options: ReaderOptions, rejects: RejectLog) throws {
        self.input = input
        self.lines = LineReader(stream: stream)
        self.rejects = rejects
        textPath = try FieldPath(options.textField)
        idPath = try FieldPath(options.idField)
        sourcePath = try options.sourceField.map(FieldPath.init)
        fixedSource = options.sourceName
        defaultSource = derivedSourceName(forPath: input.path)
        locator = JSONLRecordLocator(input: input, stream: stream)
        chat = options.chat
        forbidden = ControlLiteralScanner(options.chat?.forbiddenLiterals ?? [])
    }

    public func next() throws -> Document? {
        guard !finished else { return nil }
        do {
            while let line = try lines.next() {
                if let document = try document(from: line) {
                    counters.add("reader.documents")
                    return document
                }
            }
        } catch let error as YiError where error.code != .rejectedRecord {
            // The stream is damaged (or unreadable): what came before was returned; stop here.
            finished = true
            // Line numbers count from the start of the file, which a slice does not see.
            throw error.adding(.init(path: input.path, line: input.range == nil ? lines.linesRead + 1 : nil))
        } catch {
            // A rejected record under --strict.
            finished = true
            throw error
        }
        finished = true
        return nil
    }

    private func document(from line: LineReader.Line) throws -> Document? {
        var bytes = line.bytes
        if line.number == 1, lines.stream.fileStartOffset == 0, bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
        }
        if TextChecks.isBlank(bytes) {
            try reject(.emptyLine, "blank line", line, fatalInStrictMode: false)
            return nil
        }
        let value: JSONValue
        do {
            value = try parser.parse(bytes)
        } catch {
            switch error {
            case .malformed(let message, let offset):
                try reject(.malformedJSON, "\(message) (byte \(offset) of the line)", line)
            case .invalidUTF8(let message, let offset):
                try reject(.invalidUTF8, "\(message) (byte \(offset) of the line)", line)
            }
            return nil
        }
        guard case .object(let members) = value else {
            try reject(.notAnObject, "the line is \(value.kindDescription), not a JSON object", line)
            return nil
        }
        if let chat { return try conversation(from: members, chat: chat, line: line) }
        let (lookup, rest) = textPath.take(from: members)
        let text: String
        switch lookup {
        case .missing:
            try reject(.missingText, "no \"\(textPath.name)\" field", line)
            return nil
        case .duplicated:
            try reject(.duplicateTextField, "the key of \"\(textPath.name)\" occurs more than once", line)
            return nil
        case .found(.string(let string)):
            text = string
        case .found(let other):
            try reject(.nonStringText, "\"\(textPath.name)\" is \(other.kindDescription), not a string", line)
            return nil
        }
        if TextChecks.isEmptyText(text) {
            try reject(.emptyText, text.isEmpty ? "\"\(textPath.name)\" is empty" : "\"\(textPath.name)\" is only whitespace", line)
            return nil
        }
        let location = locator.location(of: line, in: lines.stream)
        return Document(id: documentID(members, line: line), source: sourceName(members), text: text,
                        meta: Dictionary(rest, uniquingKeysWith: { _, last in last }), location: location)
    }

    /// A chat record: the rendered conversation as the document's text, with its mask layout.
    private func conversation(from members: [(String, JSONValue)], chat: ChatOptions, line: LineReader.Line) throws -> Document? {
        switch ChatConversation.parse(members, forbidden: forbidden) {
        case .failure(let error):
            try reject(error.reason, error.detail, line)
            return nil
        case .success(let (messages, rest)):
            let (text, layout) = chat.template.render(messages, trainOn: chat.trainOn)
            return Document(id: documentID(members, line: line), source: sourceName(members), text: text,
                            meta: Dictionary(rest, uniquingKeysWith: { _, last in last }),
                            location: locator.location(of: line, in: lines.stream), chat: layout)
        }
    }

    private func documentID(_ members: [(String, JSONValue)], line: LineReader.Line) -> String {
        switch idPath.value(in: members) {
        case .string(let id) where !id.isEmpty: return id
        case .int(let id): return String(id)
        case .double(let id): return JSONWriter.string(.double(id))
        default: return locator.id(of: line, in: lines.stream)
        }
    }

    private func sourceName(_ members: [(String, JSONValue)]) -> String {
        if let fixedSource { return fixedSource }
        if let sourcePath, case .string(let name)? = sourcePath.value(in: members), !name.isEmpty { return name }
        return defaultSource
    }

    private func reject(_ reason: RejectReason, _ detail: @autoclosure () -> String, _ line: LineReader.Line,
                        fatalInStrictMode: Bool = true) throws {
        guard rejects.wantsDetails else { return rejects.tally(reason) }
        let position = locator.position(of: line).map { " (\($0))" } ?? ""
        let record = RejectedRecord(reason: reason, location: locator.location(of: line, in: lines.stream),
                                    detail: detail() + position, excerpt: Self.excerpt(line.bytes))
        do {
            try rejects.reject(record)
        } catch let error as YiError where error.code == .rejectedRecord && !fatalInStrictMode {
            // Counted; a blank line is not an error even under --strict.
        }
    }

    /// The start of a rejected line for the rejects file, cut on a character boundary.
    static func excerpt(_ bytes: UnsafeRawBufferPointer, limit: Int = 200) -> String {
        guard bytes.count > limit else { return String(decoding: bytes, as: UTF8.self) }
        var cut = limit
        while cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
        return String(decoding: bytes[..<cut], as: UTF8.self) + "…"
    }
}
