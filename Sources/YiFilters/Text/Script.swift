/// Writing systems told apart by `ScriptProfile` (Unicode `Script` property, major blocks).
///
/// Only letters are attributed to a script (digits, punctuation and symbols are `Common` in
/// Unicode and say nothing about the language). Hiragana and Katakana are one `kana` script:
/// together they mark Japanese. Letters outside the listed blocks count as `other`.
public enum Script: UInt8, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case latin = 1, greek, cyrillic, armenian, hebrew, arabic, syriac, thaana, devanagari, bengali,
         gurmukhi, gujarati, oriya, tamil, telugu, kannada, malayalam, sinhala, thai, lao, tibetan,
         myanmar, georgian, hangul, ethiopic, khmer, mongolian, kana, han, bopomofo, other

    /// Lowercase name used in configuration files and reports (`han`, `latin`, ...).
    public var name: String { Script.names[Int(rawValue)] }

    private static let names = [
        "", "latin", "greek", "cyrillic", "armenian", "hebrew", "arabic", "syriac", "thaana", "devanagari",
        "bengali", "gurmukhi", "gujarati", "oriya", "tamil", "telugu", "kannada", "malayalam", "sinhala",
        "thai", "lao", "tibetan", "myanmar", "georgian", "hangul", "ethiopic", "khmer", "mongolian", "kana",
        "han", "bopomofo", "other",
    ]
    public var description: String { name }

    public init?(name: String) {
        guard let script = Script.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = script
    }

    /// Scripts whose text is written without spaces between words; their letters are segmented
    /// one character per word (see `TextAnalyzer`). Korean (Hangul) is written with spaces
    /// between words, so its syllables form words like Latin letters do.
    public var isUnspaced: Bool { self == .han || self == .kana }

    /// The script of a scalar by block, or nil outside the listed blocks.
    static func of(_ value: UInt32) -> Script? {
        var lo = 0
        var hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = ranges[mid]
            if value < r.lo { hi = mid - 1 } else if value > r.hi { lo = mid + 1 } else { return r.script }
        }
        return nil
    }

    /// Sorted, non-overlapping block ranges (from Unicode's Scripts.txt, grouped by block).
    private static let ranges: [(lo: UInt32, hi: UInt32, script: Script)] = [
        (0x0041, 0x005A, .latin), (0x0061, 0x007A, .latin), (0x00AA, 0x00AA, .latin),
        (0x00BA, 0x00BA, .latin), (0x00C0, 0x02B8, .latin), (0x0370, 0x03FF, .greek),
        (0x0400, 0x052F, .cyrillic), (0x0531, 0x058F, .armenian), (0x0591, 0x05FF, .hebrew),
        (0x0600, 0x06FF, .arabic), (0x0700, 0x074F, .syriac), (0x0750, 0x077F, .arabic),
        (0x0780, 0x07BF, .thaana), (0x0860, 0x086F, .syriac), (0x0870, 0x08FF, .arabic),
        (0x0900, 0x097F, .devanagari), (0x0980, 0x09FF, .bengali), (0x0A00, 0x0A7F, .gurmukhi),
        (0x0A80, 0x0AFF, .gujarati), (0x0B00, 0x0B7F, .oriya), (0x0B80, 0x0BFF, .tamil),
        (0x0C00, 0x0C7F, .telugu), (0x0C80, 0x0CFF, .kannada), (0x0D00, 0x0D7F, .malayalam),
        (0x0D80, 0x0DFF, .sinhala), (0x0E00, 0x0E7F, .thai), (0x0E80, 0x0EFF, .lao),
        (0x0F00, 0x0FFF, .tibetan), (0x1000, 0x109F, .myanmar), (0x10A0, 0x10FF, .georgian),
        (0x1100, 0x11FF, .hangul), (0x1200, 0x139F, .ethiopic), (0x1780, 0x17FF, .khmer),
        (0x1800, 0x18AF, .mongolian), (0x19E0, 0x19FF, .khmer), (0x1C80, 0x1C8F, .cyrillic),
        (0x1C90, 0x1CBF, .georgian), (0x1D00, 0x1DBF, .latin), (0x1E00, 0x1EFF, .latin),
        (0x1F00, 0x1FFF, .greek), (0x2071, 0x2071, .latin), (0x207F, 0x207F, .latin),
        (0x2090, 0x209C, .latin), (0x2C60, 0x2C7F, .latin), (0x2D00, 0x2D2F, .georgian),
        (0x2D80, 0x2DDF, .ethiopic), (0x2DE0, 0x2DFF, .cyrillic), (0x2E80, 0x2FDF, .han),
        (0x3005, 0x3005, .han), (0x3007, 0x3007, .han), (0x3021, 0x3029, .han),
        (0x3038, 0x303B, .han), (0x3041, 0x30FF, .kana), (0x3100, 0x312F, .bopomofo),
        (0x3131, 0x318E, .hangul), (0x31A0, 0x31BF, .bopomofo), (0x31F0, 0x31FF, .kana),
        (0x3400, 0x4DBF, .han), (0x4E00, 0x9FFF, .han), (0xA640, 0xA69F, .cyrillic),
        (0xA720, 0xA7FF, .latin), (0xA8E0, 0xA8FF, .devanagari), (0xA960, 0xA97F, .hangul),
        (0xA9E0, 0xA9FF, .myanmar), (0xAA60, 0xAA7F, .myanmar), (0xAB00, 0xAB2F, .ethiopic),
        (0xAB30, 0xAB6F, .latin), (0xAC00, 0xD7A3, .hangul), (0xD7B0, 0xD7FF, .hangul),
        (0xF900, 0xFAFF, .han), (0xFB00, 0xFB06, .latin), (0xFB13, 0xFB17, .armenian),
        (0xFB1D, 0xFB4F, .hebrew), (0xFB50, 0xFDFF, .arabic), (0xFE70, 0xFEFF, .arabic),
        (0xFF21, 0xFF3A, .latin), (0xFF41, 0xFF5A, .latin), (0xFF66, 0xFF9F, .kana),
        (0xFFA0, 0xFFDC, .hangul), (0x10780, 0x107BF, .latin), (0x1AFF0, 0x1B16F, .kana),
        (0x1DF00, 0x1DFFF, .latin), (0x1EE00, 0x1EEFF, .arabic), (0x20000, 0x323AF, .han),
    ]
}
