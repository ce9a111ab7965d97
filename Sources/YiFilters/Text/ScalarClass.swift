/// How the text scanner treats one Unicode scalar. Packed with the letter's script into one byte
/// per BMP scalar (`ScalarTable`), so classifying a scalar costs one load.
enum ScalarKind: UInt8 {
    /// Punctuation, symbols, controls, private use, unassigned: forms symbol tokens.
    case symbol = 0
    /// Python's `str.isspace()` set, minus line breaks.
    case space = 1
    /// A line boundary for Python's `str.splitlines()` (`\n \r \v \f \x1c-\x1e \x85 U+2028 U+2029`).
    case lineBreak = 2
    /// A letter (`L*`) of a spaced script: part of a word, alphabetic.
    case letter = 3
    /// A mark, number or connector punctuation (`M*`, `N*`, `Pc`): part of a word, not alphabetic.
    case wordPart = 4
    /// A Han or Kana letter: a word on its own, alphabetic.
    case unspacedLetter = 5
    /// Format characters (`Cf`: BOM, zero-width joiners): counted as characters, otherwise invisible.
    case ignorable = 6
    /// `' ’ - ‐ .`: inside a word when between two word characters (`don't`, `well-known`,
    /// `3.14`), a symbol otherwise.
    case connector = 7
}

/// Scalar → (kind, script) for the Basic Multilingual Plane, built once from the standard
/// library's Unicode tables; scalars above U+FFFF are classified on the fly.
enum ScalarTable {
    /// Low 3 bits: `ScalarKind`; high 5 bits: `Script.rawValue` for letters (0 otherwise).
    static let bmp: [UInt8] = (0..<0x10000).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return ScalarKind.symbol.rawValue }
        return entry(for: scalar)
    }

    @inline(__always)
    static func entry(_ value: UInt32) -> UInt8 {
        if value < 0x10000 { return bmp.withUnsafeBufferPointer { $0[Int(value)] } }
        return entry(for: Unicode.Scalar(value)!)
    }

    static func entry(for scalar: Unicode.Scalar) -> UInt8 {
        let kind = kind(of: scalar)
        guard kind == .letter || kind == .unspacedLetter else { return kind.rawValue }
        let script = Script.of(scalar.value) ?? .other
        return kind.rawValue | (script.rawValue << 3)
    }

    static func kind(of scalar: Unicode.Scalar) -> ScalarKind {
        switch scalar.value {
        case 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029: return .lineBreak
        case 0x09, 0x1F, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return .space
        case 0x27, 0x2D, 0x2E, 0x2010, 0x2019: return .connector
        default: break
        }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return isUnspaced(scalar) ? .unspacedLetter : .letter
        case .letterNumber where isUnspaced(scalar):
            return .unspacedLetter   // 〇 and the Hangzhou numerals are written as Han characters
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation:
            return .wordPart
        case .format:
            return .ignorable
        default:
            return .symbol
        }
    }

    private static func isUnspaced(_ scalar: Unicode.Scalar) -> Bool {
        Script.of(scalar.value)?.isUnspaced ?? false
    }

    /// Calls `body(value, start, end, tableEntry)` for each scalar of valid UTF-8.
    @inline(__always)
    static func forEachScalar(_ bytes: UnsafeBufferPointer<UInt8>,
                              _ body: (UInt32, Int, Int, UInt8) -> Void) {
        ScalarTable.bmp.withUnsafeBufferPointer { table in
            var i = 0
            let count = bytes.count
            while i < count {
                let start = i
                let b0 = bytes[i]
                var value: UInt32
                if b0 < 0x80 {
                    value = UInt32(b0); i += 1
                } else if b0 < 0xE0 {
                    value = (UInt32(b0 & 0x1F) << 6) | UInt32(bytes[i + 1] & 0x3F); i += 2
                } else if b0 < 0xF0 {
                    value = (UInt32(b0 & 0x0F) << 12) | (UInt32(bytes[i + 1] & 0x3F) << 6) | UInt32(bytes[i + 2] & 0x3F)
                    i += 3
                } else {
                    value = (UInt32(b0 & 0x07) << 18) | (UInt32(bytes[i + 1] & 0x3F) << 12)
                        | (UInt32(bytes[i + 2] & 0x3F) << 6) | UInt32(bytes[i + 3] & 0x3F)
                    i += 4
                }
                body(value, start, i, value < 0x10000 ? table[Int(value)] : ScalarTable.entry(value))
            }
        }
    }

    @inline(__always) static func kind(_ entry: UInt8) -> ScalarKind { ScalarKind(rawValue: entry & 7)! }
    @inline(__always) static func scriptIndex(_ entry: UInt8) -> Int { Int(entry >> 3) }
}
