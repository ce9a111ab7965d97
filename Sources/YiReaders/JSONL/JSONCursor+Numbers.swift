import YiCore

/// JSON numbers, checked against RFC 8259's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
extension JSONCursor {
    mutating func parseNumber() throws(JSONLineError) -> JSONValue {
        let start = position
        var i = position
        if base[i] == UInt8(ascii: "-") { i += 1 }
        guard i < count else { throw .malformed("invalid number: a digit was expected after '-'", offset: start) }
        switch base[i] {
        case UInt8(ascii: "0"):
            i += 1
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            i = skipDigits(from: i)
        default:
            throw .malformed("invalid number: a digit was expected after '-'", offset: start)
        }
        var isInteger = true
        if i < count && base[i] == UInt8(ascii: ".") {
            let digits = skipDigits(from: i + 1)
            guard digits > i + 1 else { throw .malformed("invalid number: a digit was expected after '.'", offset: start) }
            i = digits
            isInteger = false
        }
        if i < count && base[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < count && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) { i += 1 }
            let digits = skipDigits(from: i)
            guard digits > i else { throw .malformed("invalid number: a digit was expected in the exponent", offset: start) }
            i = digits
            isInteger = false
        }
        position = i
        let text = UnsafeBufferPointer(start: base + start, count: i - start)
        if isInteger, let value = Self.int64(text) { return .int(value) }
        // The grammar above is a subset of what Double(String) accepts, so this cannot fail.
        return .double(Double(String(decoding: text, as: UTF8.self))!)
    }

    @inline(__always)
    private func skipDigits(from start: Int) -> Int {
        var i = start
        while i < count && base[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i
    }

    /// The integer's value, or nil when it does not fit in 64 bits.
    private static func int64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        let negative = text[0] == UInt8(ascii: "-")
        var value: Int64 = 0
        for b in text[(negative ? 1 : 0)...] {
            let digit = Int64(b &- UInt8(ascii: "0"))
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so that Int64.min fits.
            let (next, o2) = shifted.subtractingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = next
        }
        if negative { return value }
        return value == .min ? nil : -value
    }
}
