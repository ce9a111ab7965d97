import CYiXML2
import YiCore
import YiIO

/// libxml2 must be initialised once, before any thread parses.
private let libxml2Initialized: Void = { xmlInitParser() }()

/// Where an `XMLPushParser` delivers events, in document order, as soon as libxml2 has parsed
/// them. Closures rather than a protocol so the C callbacks reach them without a dynamic cast.
final class XMLEvents {
    var startElement: (_ name: String, _ attributes: XMLAttributes) -> Void = { _, _ in }
    var endElement: (_ name: String) -> Void = { _ in }
    /// Character data (text or CDATA) in UTF-8; one run of text may arrive in several pieces.
    var characters: (UnsafeBufferPointer<UInt8>) -> Void = { _ in }
    /// Set by a handler that cannot go on (not a MediaWiki export): parsing stops at once and
    /// `feed` throws it.
    var stopError: Error?
    fileprivate var parser: xmlParserCtxtPtr?

    fileprivate func stopIfAsked() {
        if stopError != nil, let parser { xmlStopParser(parser) }
    }
}

/// The attributes of a start tag, readable during the `startElement` call only.
struct XMLAttributes {
    /// libxml2's SAX2 layout: five pointers per attribute (local name, prefix, URI, value start,
    /// value end).
    fileprivate let raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate let count: Int

    func value(_ name: String) -> String? {
        guard let raw else { return nil }
        for i in 0..<count {
            guard let localName = raw[5 * i], String(cString: localName) == name,
                  let start = raw[5 * i + 3], let end = raw[5 * i + 4] else { continue }
            return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
        return nil
    }
}

/// libxml2's SAX2 push parser fed from a `ByteStream`: events are delivered the moment their
/// markup is parsed, nothing is kept as a tree, and memory stays constant whatever the file size.
/// libxml2 detects the encoding itself (UTF-8, or UTF-16 with a byte order mark) and hands out
/// UTF-8.
///
/// Why SAX and not `xmlTextReader`: the reader hands out a node only after parsing past it, so
/// when a file ends in damage (a dump cut after its last page) the reader fails before it has
/// delivered the end of the last *complete* page, and that page would be lost. With SAX every
/// event before the damage arrives.
///
/// Owns the C parser context and its error sink (freed in deinit); `check` is the one place
/// where libxml2's results become errors.
final class XMLPushParser {
    let path: String
    private let stream: ByteStream
    let events = XMLEvents()
    private var parser: xmlParserCtxtPtr?
    private let context: UnsafeMutablePointer<cyi_xml_sax_context>
    private let chunk: UnsafeMutableRawBufferPointer
    private var ended = false
    /// Decompressed bytes handed to libxml2 so far.
    private(set) var bytesRead: Int64 = 0

    /// No network, no external DTD, no entity expansion (so nothing can blow up), no libxml2 size
    /// cap on a single text node, and line numbers past 65535.
    private static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_HUGE.rawValue | XML_PARSE_BIG_LINES.rawValue)

    init(stream: ByteStream, chunkSize: Int = 1 << 16) {
        _ = libxml2Initialized
        self.stream = stream
        path = stream.path
        chunk = .allocate(byteCount: chunkSize, alignment: 16)
        context = .allocate(capacity: 1)
        context.initialize(to: cyi_xml_sax_context())
    }

    deinit {
        if let parser { xmlFreeParserCtxt(parser) }
        context.deinitialize(count: 1)
        context.deallocate()
        chunk.deallocate()
    }

    var fileBytesRead: Int64 { stream.fileBytesRead }

    /// Line the parser is at (1-based).
    var line: Int { parser.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 1 }

    /// Decompressed bytes the parser has consumed (a little behind `bytesRead`).
    var byteOffset: Int64 { parser.map { Int64(xmlByteConsumed($0)) } ?? 0 }

    /// Parses the next chunk of input, delivering its events; false once the document ended
    /// well-formed. Damage (the stream's, the XML's, or the handler's) throws after every event
    /// before it was delivered.
    func feed() throws -> Bool {
        guard !ended else { return false }
        // The first bytes alone create the parser: they decide the encoding (a UTF-16 byte order
        // mark, or `<?xml` in some encoding).
        let wanted = parser == nil ? UnsafeMutableRawBufferPointer(rebasing: chunk[..<4]) : chunk
        let count: Int
        do {
            count = parser == nil ? try stream.readFully(into: wanted) : try stream.read(into: wanted)
        } catch {
            ended = true
            guard let error = error as? YiError else { throw error }
            throw bytesRead > 0 ? error.adding(.init(path: path, line: line)) : error
        }
        bytesRead += Int64(count)
        let bytes = UnsafeRawBufferPointer(rebasing: chunk[..<count])
        if parser == nil {
            parser = try createParser(bytes)
        } else if count > 0 {
            try check(parse(bytes, terminate: false))
        }
        if count == 0 {
            ended = true
            try check(parse(UnsafeRawBufferPointer(start: nil, count: 0), terminate: true), atEndOfInput: true)
            return false
        }
        return true
    }

    private func createParser(_ first: UnsafeRawBufferPointer) throws -> xmlParserCtxtPtr {
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { context, localName, _, _, _, _, attributeCount, _, attributes in
            guard let events = XMLPushParser.events(context), events.stopError == nil, let localName else { return }
            events.startElement(String(cString: localName), XMLAttributes(raw: attributes, count: Int(attributeCount)))
            events.stopIfAsked()
        }
        sax.endElementNs = { context, localName, _, _ in
            guard let events = XMLPushParser.events(context), events.stopError == nil, let localName else { return }
            events.endElement(String(cString: localName))
            events.stopIfAsked()
        }
        let characters: charactersSAXFunc = { context, bytes, length in
            guard let events = XMLPushParser.events(context), events.stopError == nil, let bytes else { return }
            events.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.cdataBlock = characters
        cyi_xml_sax_collect_errors(&sax)
        context.pointee.owner = Unmanaged.passUnretained(events).toOpaque()
        let created = first.withMemoryRebound(to: CChar.self) { bytes in
            xmlCreatePushParserCtxt(&sax, context, bytes.baseAddress, Int32(bytes.count), path)
        }
        guard let created else {
            throw YiError(.io, "cannot create an XML parser", context: .init(path: path))
        }
        xmlCtxtUseOptions(created, Self.options)
        events.parser = created
        return created
    }

    private static func events(_ context: UnsafeMutableRawPointer?) -> XMLEvents? {
        guard let owner = context?.assumingMemoryBound(to: cyi_xml_sax_context.self).pointee.owner else { return nil }
        return Unmanaged<XMLEvents>.fromOpaque(owner).takeUnretainedValue()
    }

    private func parse(_ bytes: UnsafeRawBufferPointer, terminate: Bool) -> Int32 {
        guard let parser else { return 0 }
        return bytes.withMemoryRebound(to: CChar.self) { chars in
            xmlParseChunk(parser, chars.baseAddress, Int32(chars.count), terminate ? 1 : 0)
        }
    }

    /// The one place where libxml2's results (and the handler's objections) become errors.
    private func check(_ result: Int32, atEndOfInput: Bool = false) throws {
        if let handlerError = events.stopError {
            ended = true
            throw handlerError
        }
        let sink = context.pointee.errors
        // Only well-formedness errors stop the parse (a namespace complaint does not).
        let wellFormed = parser.map { $0.pointee.wellFormed != 0 } ?? true
        guard sink.fatal > 0 || !wellFormed else { return }
        ended = true
        let line = sink.line > 0 ? Int(sink.line) : self.line
        let message = withUnsafeBytes(of: sink.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }.trimmingWhitespace()
        let code = sink.fatal > 0 ? sink.code : result
        var detail = message.isEmpty ? "XML parser error \(code)" : message
        if code == XML_ERR_DOCUMENT_END.rawValue && atEndOfInput {
            // libxml2's words for a document that stops inside its elements.
            detail = "the file ends before its elements are closed (cut short?)"
        }
        throw YiError(.corruptInput, "XML is not well-formed: \(detail) (line \(line), column \(sink.column))",
                      context: .init(path: path, byteOffset: byteOffset, line: line),
                      cause: "libxml2 error \(code): \(message)")
    }
}
