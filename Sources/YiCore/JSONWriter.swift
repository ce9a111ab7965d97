/// Compact, deterministic JSON serialisation (no Foundation): the same value always gives the
/// same bytes. Used for JSONL outputs, rejects files and manifests.
public enum JSONWriter {
    public static func string(_ value: JSONValue, pretty: Bool = false) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        return out
    }

    public static func write(_ value: JSONValue, into out: inout String, indent: Int? = nil) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += format(d)
        case .string(let s): appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (n, item) in items.enumerated() {
                if n > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (n, (key, item)) in members.enumerated() {
                if n > 0 { out += "," }
                newline(&out, indent.map { $0 + 1 })
                appendQuoted(key, to: &out)
                out += indent == nil ? ":" : ": "
                write(item, into: &out, indent: indent.map { $0 + 1 })
            }
            newline(&out, indent)
            out += "}"
        }
    }

    /// Token ids as a JSON array (`[1, 2, 3]`), written without building a JSONValue.
    public static func appendIDs<C: Collection>(_ ids: C, to out: inout String) where C.Element: BinaryInteger {
        var bytes: [UInt8] = []
        appendIDs(ids, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    /// Any integers as a JSON array (negative ones too); `[TokenID]` takes the overload in
    /// JSONWriter+Bytes.swift.
    public static func appendIDs<C: Collection>(_ ids: C, to out: inout [UInt8]) where C.Element: BinaryInteger {
        let values = Array(ids)
        appendDecimals(count: values.count, maxDigits: 20, to: &out) { i in
            (values[i] < 0, UInt64(values[i].magnitude))
        }
    }

    public static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        var pending = Substring(s).startIndex
        let scalars = s.unicodeScalars
        var index = scalars.startIndex
        while index != scalars.endIndex {
            let c = scalars[index]
            let escape: String?
            switch c {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            default:
                if c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029 {
                    let hex = String(c.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                out += s[pending..<index]
                out += escape
                pending = scalars.index(after: index)
            }
            index = scalars.index(after: index)
        }
        out += s[pending...]
        out += "\""
    }

    private static func newline(_ out: inout String, _ indent: Int?) {
        guard let indent else { return }
        out += "\n" + String(repeating: "  ", count: indent)
    }

    private static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }
}
