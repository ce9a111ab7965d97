import Testing
@testable import YiTokenizer

/// `ByteHash.equal` compares with overlapping word loads; it must agree with a byte-by-byte
/// comparison for every length and every position of a difference.
@Suite struct ByteHashTests {
    @Test func equalAgreesWithBytewiseComparison() {
        for count in 0...40 {
            let a = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            a.withUnsafeBufferPointer { pa in
                var same = a
                same.withUnsafeBufferPointer { pb in
                    #expect(ByteHash.equal(pa.baseAddress ?? UnsafePointer(bitPattern: 1)!, pb.baseAddress ?? UnsafePointer(bitPattern: 1)!, count))
                }
                for position in 0..<count {
                    same = a
                    same[position] ^= 0x40
                    same.withUnsafeBufferPointer { pb in
                        #expect(!ByteHash.equal(pa.baseAddress!, pb.baseAddress!, count), "length \(count), difference at \(position)")
                    }
                }
            }
        }
    }
}
