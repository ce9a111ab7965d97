import YiCore

/// Fast string creation for the JSONL hot path (validation: YiCore `UTF8Validation`).
///
/// The standard library validates every `String` it creates from bytes, one byte at a time for
/// any text that is not pure ASCII (about 10 instructions a byte). Here runs of ASCII are skipped
/// eight bytes at a time and multi-byte sequences are checked directly; valid text then becomes a
/// `String` through `UTF8Span(unchecked:)` with no second validation (Swift 6.2+; older
/// compilers fall back to the validating initialiser). Tested against the standard library's
/// verdict on random and adversarial bytes.
enum UTF8Text {
    /// A `String` holding `bytes`, or nil when they are not valid UTF-8. `isASCII`: the caller
    /// already knows no byte is above 0x7F.
    @inline(__always)
    static func string(_ bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool) -> String? {
        guard isASCII || UTF8Validation.isValid(bytes) else { return nil }
        #if compiler(>=6.2)
        return String(copying: UTF8Span(unchecked: Span(_unsafeElements: bytes), isKnownASCII: isASCII))
        #else
        return String(validating: bytes, as: UTF8.self)
        #endif
    }

    /// Offset of the first byte that does not start or continue a valid UTF-8 sequence (for
    /// messages; only called on invalid input).
    static func firstInvalidOffset(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = buffer.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return max(0, buffer.count - 1)
            case .error: return offset
            }
        }
    }
}
