/// Whitespace tests shared by the readers.
enum TextChecks {
    /// Space, tab, line feed, vertical tab, form feed, carriage return.
    @inline(__always)
    static func isASCIIWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// Nothing but ASCII whitespace (a blank line).
    static func isBlank<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        bytes.allSatisfy(isASCIIWhitespace)
    }

    /// Empty or only Unicode whitespace: not a document. Stops at the first other character, so
    /// it is cheap on real text.
    static func isEmptyText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }
}

extension String {
    /// Without leading and trailing Unicode whitespace.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
