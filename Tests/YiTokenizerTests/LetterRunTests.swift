import Testing
import YiCore
@testable import YiTokenizer

/// The segmentation loop skips runs of ASCII letters 8 bytes at a time with byte arithmetic on
/// a 64-bit word (`leadingLetters`): it must count exactly the letters a byte-by-byte check
/// counts, for every byte value in every position (the edges of the letter ranges, `@ [ ` {`,
/// and bytes with the high bit set, whose arithmetic could carry into the next byte).
@Suite struct LetterRunTests {
    static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    static func expected(_ bytes: [UInt8]) -> Int { bytes.firstIndex { !isLetter($0) } ?? 8 }

    static func counted(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { SentencePieceEncoder.leadingLetters($0.baseAddress!) }
    }

    @Test func everyByteInEveryPosition() {
        for position in 0..<8 {
            for value in 0...255 {
                var bytes = Array("abcdWXYZ".utf8)
                bytes[position] = UInt8(value)
                #expect(Self.counted(bytes) == Self.expected(bytes), "byte \(value) at \(position)")
            }
        }
    }

    @Test func randomWords() {
        var rng = SplitMix64(seed: 8)
        let interesting: [UInt8] = [0x40, 0x41, 0x5A, 0x5B, 0x60, 0x61, 0x7A, 0x7B, 0xC1, 0xE1, 0xFA, 0xFF, 0x20, 0x00]
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
            #expect(Self.counted(bytes) == Self.expected(bytes), "\(bytes)")
        }
    }
}
