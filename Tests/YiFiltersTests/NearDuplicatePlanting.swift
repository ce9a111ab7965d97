import YiCore
@testable import YiFilters

/// Plants near-duplicates of real documents: random word substitutions (a Han/Kana character
/// counts as a word) and paragraph reordering, seeded.
enum NearDuplicatePlanting {
    /// Replaces about `rate` of the words of `text` by other words of the same script.
    static func substituteWords(_ text: String, rate: Double, rng: inout SplitMix64) -> String {
        let replacementsLatin = ["apple", "window", "silver", "quickly", "seventeen", "harbour", "purple", "engine"]
        let replacementsHan = Array("山水风云雨雪花草木石金银铜铁")
        var out = ""
        var word = ""
        func flushWord() {
            if !word.isEmpty {
                out += SplitMix64.unitInterval(rng.next()) < rate
                    ? replacementsLatin[Int(rng.next() % UInt64(replacementsLatin.count))] : word
                word = ""
            }
        }
        for character in text {
            let scalar = character.unicodeScalars.first!
            if Script.of(scalar.value)?.isUnspaced == true {
                flushWord()
                if SplitMix64.unitInterval(rng.next()) < rate {
                    out.append(replacementsHan[Int(rng.next() % UInt64(replacementsHan.count))])
                } else {
                    out.append(character)
                }
            } else if character.isLetter || character.isNumber {
                word.append(character)
            } else {
                flushWord()
                out.append(character)
            }
        }
        flushWord()
        return out
    }

    /// Moves one paragraph to another place; text without blank lines moves a line, a
    /// one-line text a sentence.
    static func moveParagraph(_ text: String, rng: inout SplitMix64) -> String {
        for separator in ["\n\n", "\n", ". ", "。"] {
            var parts = text.components(separatedBy: separator)
            guard parts.count >= 3 else { continue }
            let from = Int(rng.next() % UInt64(parts.count))
            let moved = parts.remove(at: from)
            var to = Int(rng.next() % UInt64(parts.count + 1))
            if to == from { to = (to + 1) % (parts.count + 1) }
            parts.insert(moved, at: to)
            return parts.joined(separator: separator)
        }
        return text
    }
}
