import YiCore

/// Letters per writing system in a text: the language signal that needs no model. Ratios are
/// of letters only (digits, punctuation, symbols and spaces belong to no language).
public struct ScriptProfile: Sendable, Equatable {
    /// Letters by `Script.rawValue` (index 0 unused).
    public var letters: [Int]

    public init(letters: [Int]) { self.letters = letters }

    public init(_ analysis: TextAnalysis) { letters = analysis.scriptLetters }

    /// Measures `text`: one pass over its bytes that only classifies letters (ASCII bytes by a
    /// table lookup, others through the BMP table).
    public init(text: String) {
        var counts = [Int](repeating: 0, count: 32)
        var text = text
        text.withUTF8 { bytes in
            counts.withUnsafeMutableBufferPointer { counts in
                ScalarTable.forEachScalar(bytes) { _, _, _, entry in
                    let kind = entry & 7
                    if kind == ScalarKind.letter.rawValue || kind == ScalarKind.unspacedLetter.rawValue {
                        counts[Int(entry >> 3)] += 1
                    }
                }
            }
        }
        letters = counts
    }

    public var totalLetters: Int { letters.reduce(0, +) }

    public func count(_ script: Script) -> Int { letters[Int(script.rawValue)] }

    /// Fraction of letters in `script` (0 for a text without letters).
    public func ratio(_ script: Script) -> Double { ratio(of: [script]) }

    public func ratio(of scripts: Set<Script>) -> Double {
        let total = totalLetters
        guard total > 0 else { return 0 }
        return Double(scripts.reduce(0) { $0 + count($1) }) / Double(total)
    }

    /// The script with the most letters (ties: the lower `Script` raw value); nil without letters.
    public var dominantScript: Script? {
        var best: Script?
        var bestCount = 0
        for script in Script.allCases where count(script) > bestCount {
            best = script
            bestCount = count(script)
        }
        return best
    }

    /// Non-zero ratios, largest first (ties by script order): for reports and manifests.
    public var ratios: [(Script, Double)] {
        let total = Double(totalLetters)
        return Script.allCases.filter { count($0) > 0 }
            .map { ($0, Double(count($0)) / total) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.rawValue < $1.0.rawValue }
    }
}

/// Keeps documents whose letters are at least `minRatio` in the allowed scripts (for example
/// `[.han, .latin]` for a Chinese + English corpus). Documents without any letter are dropped
/// unless `keepWithoutLetters`.
public struct ScriptFilter: DocumentFilter {
    public var name: String { "script" }
    public let allowed: Set<Script>
    public let minRatio: Double
    public let keepWithoutLetters: Bool

    public static let ratioTooLow = "script.ratio"
    public static let noLetters = "script.no-letters"

    public init(allowed: Set<Script>, minRatio: Double = 0.5, keepWithoutLetters: Bool = false) {
        self.allowed = allowed
        self.minRatio = minRatio
        self.keepWithoutLetters = keepWithoutLetters
    }

    public mutating func verdict(for document: Document) -> FilterVerdict {
        verdict(for: ScriptProfile(text: document.text))
    }

    public func verdict(for profile: ScriptProfile) -> FilterVerdict {
        guard profile.totalLetters > 0 else { return keepWithoutLetters ? .keep : .drop(reason: Self.noLetters) }
        return profile.ratio(of: allowed) >= minRatio ? .keep : .drop(reason: Self.ratioTooLow)
    }
}
