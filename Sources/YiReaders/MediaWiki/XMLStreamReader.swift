#if canImport(Glibc)
import Glibc
#endif
import CYiXML2
import YiCore
import YiIO

/// libxml2 must be initialised once, before any thread parses.
private let libxml2Initialized: Void = { xmlInitParser() }()

/// libxml2's streaming `xmlTextReader`, fed from a `ByteStream` through read callbacks, so memory
/// stays constant whatever the file size. libxml2 detects the encoding itself (UTF-8, or UTF-16
/// with a byte order mark) and hands out UTF-8.
///
/// Owns the C reader and its error sink (freed in deinit); `read()` is the one place where
/// libxml2's results become errors.
final class XMLStreamReader {
    /// Where the bytes come from; a class so libxml2's callback can reach it by pointer.
    private final class Input {
        let stream: ByteStream
        var bytesRead: Int64 = 0
        /// The stream's own error (a truncated bz2 stream), which libxml2 only sees as "I/O error".
        var error: Error?
        init(stream: ByteStream) { self.stream = stream }
    }

    let path: String
    private let input: Input
    private let reader: xmlTextReaderPtr
    private let sink: UnsafeMutablePointer<cyi_xml_error_sink>
    private var failed = false

    /// The parser options: no network, no external DTD or entities (entity references are not
    /// expanded, so nothing can blow up), and no libxml2 size cap on a single text node.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_HUGE.rawValue)

    init(stream: ByteStream) throws {
        _ = libxml2Initialized
        path = stream.path
        input = Input(stream: stream)
        let read: xmlInputReadCallback = { context, buffer, length in
            let input = Unmanaged<Input>.fromOpaque(context!).takeUnretainedValue()
            do {
                let n = try input.stream.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length)))
                input.bytesRead += Int64(n)
                return Int32(n)
            } catch {
                input.error = error
                return -1
            }
        }
        let close: xmlInputCloseCallback = { _ in 0 }
        let context = Unmanaged.passUnretained(input).toOpaque()
        guard let reader = xmlReaderForIO(read, close, context, path, nil, Self.options) else {
            throw YiError(.io, "cannot create an XML reader", context: .init(path: path))
        }
        self.reader = reader
        sink = .allocate(capacity: 1)
        sink.initialize(to: cyi_xml_error_sink())
        cyi_xml_reader_collect_errors(reader, sink)
    }

    deinit {
        xmlFreeTextReader(reader)
        sink.deinitialize(count: 1)
        sink.deallocate()
    }

    /// Decompressed bytes handed to libxml2 so far.
    var bytesRead: Int64 { input.bytesRead }
    var fileBytesRead: Int64 { input.stream.fileBytesRead }

    /// Moves to the next node; false at the end of a well-formed document. Damage (the stream's
    /// or the XML's) throws `.corruptInput`, and the reader stays failed.
    func read() throws -> Bool {
        precondition(!failed, "XMLStreamReader used after an error")
        let result = xmlTextReaderRead(reader)
        if result == 1 && sink.pointee.errors == 0 { return true }
        if result == 0 && sink.pointee.errors == 0 { return false }
        failed = true
        let line = sink.pointee.line > 0 ? Int(sink.pointee.line) : Int(xmlTextReaderGetParserLineNumber(reader))
        if let streamError = input.error as? YiError {
            throw streamError.adding(.init(path: path, line: line))
        }
        if let streamError = input.error { throw streamError }
        let message = withUnsafeBytes(of: sink.pointee.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }.trimmingTrailingWhitespace()
        let offset = Int64(xmlTextReaderByteConsumed(reader))
        let detail = message.isEmpty ? "XML parser error \(sink.pointee.code)" : message
        throw YiError(.corruptInput, "XML is not well-formed: \(detail) (line \(line), column \(sink.pointee.column))",
                      context: .init(path: path, byteOffset: offset >= 0 ? offset : nil, line: line),
                      cause: "libxml2 error \(sink.pointee.code): \(detail)")
    }

    var nodeType: xmlReaderTypes { xmlReaderTypes(UInt32(xmlTextReaderNodeType(reader))) }

    var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }

    /// The current node's local name (no namespace prefix).
    var localName: String {
        guard let name = xmlTextReaderConstLocalName(reader) else { return "" }
        return String(cString: name)
    }

    /// Appends the current text node's content (UTF-8) to `buffer`.
    func appendValue(to buffer: inout [UInt8]) {
        guard let value = xmlTextReaderConstValue(reader) else { return }
        let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
        buffer.append(contentsOf: UnsafeBufferPointer(start: value, count: length))
    }

    func attribute(_ name: String) -> String? {
        let value = name.withCString { cName in
            cName.withMemoryRebound(to: xmlChar.self, capacity: name.utf8.count + 1) { xmlTextReaderGetAttribute(reader, $0) }
        }
        guard let value else { return nil }
        defer { cyi_xml_free(value) }
        return String(cString: value)
    }

    /// Roughly where the parser is in the decompressed XML (libxml2 reads ahead a little).
    var bytesConsumedAtNode: Int64 { Int64(xmlTextReaderByteConsumed(reader)) }

    /// Line of the current node (1-based).
    var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }
}

private extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s.removeLast() }
        return String(s)
    }
}
