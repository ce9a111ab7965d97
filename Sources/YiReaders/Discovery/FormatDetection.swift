import YiCore
import YiIO

/// Decides how to read one file: compression from the magic bytes (checked against the name's
/// `.zst`/`.bz2`/`.gz`), content format from the name (`.jsonl`, `.json`, `.ndjson`, `.xml`,
/// Wikipedia's `.xml-p1p41242` split names), checked against the first non-blank byte of the
/// decompressed content; when the name does not say (`data.zst`), that byte decides.
enum FormatDetection {
    static let supportedNames = ".jsonl, .json, .ndjson, .xml (each optionally .zst, .gz or .bz2)"

    enum Verdict: Equatable {
        case input(InputFormat, Compression)
        case unsupported(String)
    }

    /// What the start of the decompressed content looks like.
    enum ContentStart: Equatable {
        case jsonObject, jsonArray, xml, empty
        /// UTF-16 (a byte order mark, or `<` next to a zero byte): XML may be, JSON lines may not.
        case utf16
        case other(UInt8)
        case unreadable(String)
    }

    static func classify(path: String) throws -> Verdict {
        let name = FileSystem.lastComponent(path).lowercased()
        let magic = try readPrefix(path: path, count: Compression.magicLength)
        guard let compression = Compression.detect(prefix: magic) else {
            return .unsupported("\(Compression.unsupportedName(prefix: magic)!) compression is not supported (use zstd, gzip or bzip2)")
        }
        let named = Compression.fromExtension(name)
        let inner = named == nil ? name : stripCompressionExtension(name)
        if let named, named != compression {
            let actual = compression == .none ? "not compressed" : "\(compression)-compressed"
            return .unsupported("the name says \(named) but the content is \(actual)")
        }
        let hint = formatHint(inner)
        if named == nil && hint == nil {
            let ext = inner.lastIndex(of: ".").map { String(inner[$0...]) } ?? "(no extension)"
            return .unsupported("unsupported file type \(ext); readable inputs: \(supportedNames)")
        }
        if named == nil && compression != .none {
            return .unsupported("the name says \(hint!) but the content is \(compression)-compressed (add .\(compression.fileExtension))")
        }
        let start = contentStart(path: path, compression: compression)
        switch (hint, start) {
        case (.jsonl, .xml):
            return .unsupported("the name says JSON lines but the content is XML")
        case (.jsonl, .utf16):
            return .unsupported("UTF-16 text: JSON lines must be UTF-8 (convert with iconv -f UTF-16 -t UTF-8)")
        case (.jsonl, .jsonArray) where inner.hasSuffix(".json"):
            return .unsupported("a JSON array document, not JSON lines (one object per line)")
        case (.mediaWikiXML, .jsonObject):
            return .unsupported("the name says XML but the content is JSON lines")
        case (.some(let format), _):
            // Damage or odd first lines are the reader's to report, record by record.
            return .input(format, compression)
        case (nil, .jsonObject):
            return .input(.jsonl, compression)
        case (nil, .xml), (nil, .utf16):
            return .input(.mediaWikiXML, compression)
        case (nil, .jsonArray):
            return .unsupported("a JSON array document, not JSON lines (one object per line)")
        case (nil, .empty):
            return .unsupported("empty after decompression: cannot tell JSON lines from XML")
        case (nil, .other(let byte)):
            return .unsupported("content starts with byte 0x\(String(byte, radix: 16, uppercase: true)), neither JSON lines ('{') nor XML ('<')")
        case (nil, .unreadable(let why)):
            return .unsupported("cannot read the start of the content: \(why)")
        }
    }

    /// The content format a file name (without compression extension) announces.
    static func formatHint(_ name: String) -> InputFormat? {
        if name.hasSuffix(".jsonl") || name.hasSuffix(".json") || name.hasSuffix(".ndjson") { return .jsonl }
        if name.hasSuffix(".xml") || splitDumpSuffixStart(name) != nil { return .mediaWikiXML }
        return nil
    }

    private static func stripCompressionExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: ".") else { return name }
        return String(name[..<dot])
    }

    /// Reads up to 64 KiB of decompressed content and looks at its first non-blank byte.
    static func contentStart(path: String, compression: Compression) -> ContentStart {
        var bytes = [UInt8](repeating: 0, count: 1 << 16)
        let count: Int
        do {
            let stream = try openByteStream(path: path, compression: compression)
            count = try bytes.withUnsafeMutableBytes { try stream.readFully(into: $0) }
        } catch let error as YiError {
            return .unreadable(error.message)
        } catch {
            return .unreadable("\(error)")
        }
        return contentStart(of: bytes[..<count])
    }

    static func contentStart(of bytes: ArraySlice<UInt8>) -> ContentStart {
        var content = bytes
        if content.starts(with: [0xFF, 0xFE]) || content.starts(with: [0xFE, 0xFF]) { return .utf16 }
        if content.starts(with: [0x3C, 0x00]) || content.starts(with: [0x00, 0x3C]) { return .utf16 }
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        guard let first = content.first(where: { !($0 == 0x20 || (0x09...0x0D).contains($0)) }) else { return .empty }
        switch first {
        case UInt8(ascii: "{"): return .jsonObject
        case UInt8(ascii: "["): return .jsonArray
        case UInt8(ascii: "<"): return .xml
        default: return .other(first)
        }
    }
}

extension Compression {
    var fileExtension: String {
        switch self {
        case .none: return ""
        case .zstd: return "zst"
        case .bzip2: return "bz2"
        case .gzip: return "gz"
        }
    }
}
