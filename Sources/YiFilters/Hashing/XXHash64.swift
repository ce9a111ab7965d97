import YiCore

/// xxHash64 (Yann Collet's XXH64, written here from the published algorithm description).
///
/// Deterministic across runs, processes and machines — unlike Swift's `Hasher`, which is seeded
/// randomly per process — so content hashes can be recorded, compared between ranks and tested
/// against the reference vectors (`XXH64("", 0) == 0xEF46DB3751D8E999`).
public enum XXHash64 {
    @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// Hash of the bytes `[start, end)` of `bytes`.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        guard let base = bytes.baseAddress else { return hash(empty: seed) }
        return hash(base, count: bytes.count, seed: seed)
    }

    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    @inlinable
    static func hash(empty seed: UInt64) -> UInt64 { avalanche(seed &+ prime5) }

    @inlinable
    public static func hash(_ base: UnsafeRawPointer, count: Int, seed: UInt64 = 0) -> UInt64 {
        var p = base
        let end = base + count
        var h: UInt64
        if count >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            let limit = end - 32
            repeat {
                v1 = round(v1, read64(p)); v2 = round(v2, read64(p + 8))
                v3 = round(v3, read64(p + 16)); v4 = round(v4, read64(p + 24))
                p += 32
            } while p <= limit
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = mergeRound(h, v1); h = mergeRound(h, v2); h = mergeRound(h, v3); h = mergeRound(h, v4)
        } else {
            h = seed &+ prime5
        }
        h &+= UInt64(count)
        while end - p >= 8 {
            h ^= round(0, read64(p))
            h = rotl(h, 27) &* prime1 &+ prime4
            p += 8
        }
        if end - p >= 4 {
            h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) &* prime1
            h = rotl(h, 23) &* prime2 &+ prime3
            p += 4
        }
        while p < end {
            h ^= UInt64(p.load(as: UInt8.self)) &* prime5
            h = rotl(h, 11) &* prime1
            p += 1
        }
        return avalanche(h)
    }

    @inlinable @inline(__always)
    static func read64(_ p: UnsafeRawPointer) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inlinable @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* prime2, 31) &* prime1
    }

    @inlinable @inline(__always)
    static func mergeRound(_ acc: UInt64, _ value: UInt64) -> UInt64 {
        (acc ^ round(0, value)) &* prime1 &+ prime4
    }

    @inlinable @inline(__always)
    static func avalanche(_ h0: UInt64) -> UInt64 {
        var h = h0
        h ^= h >> 33; h &*= prime2
        h ^= h >> 29; h &*= prime3
        h ^= h >> 32
        return h
    }
}

/// A 128-bit content hash: two independent xxHash64 lanes (seeds 0 and `secondSeed`). At 128 bits
/// the chance that any two of a billion distinct documents collide is about 1e-21.
public struct ContentHash128: Hashable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    static let secondSeed: UInt64 = 0x5851_F42D_4C95_7F2D

    public init(_ bytes: UnsafeRawBufferPointer) {
        high = XXHash64.hash(bytes, seed: 0)
        low = XXHash64.hash(bytes, seed: ContentHash128.secondSeed)
    }

    /// 32 lowercase hex digits.
    public var description: String {
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(high) + hex(low)
    }
}

/// The hash of one token (a word, a symbol run, a Han character): most tokens are 1–8 bytes,
/// read with at most two loads and mixed once; longer ones go through xxHash64. Deterministic
/// like `XXHash64`, and equal bytes always give equal hashes — all that token comparisons need.
enum TokenHash {
    @inline(__always)
    static func hash(_ p: UnsafeRawPointer, count: Int) -> UInt64 {
        let value: UInt64
        switch count {
        case 0:
            return 0x2545_F491_4F6C_DD1D
        case 1...3:
            value = UInt64(p.load(as: UInt8.self)) << 16 | UInt64(p.load(fromByteOffset: count >> 1, as: UInt8.self)) << 8
                | UInt64(p.load(fromByteOffset: count - 1, as: UInt8.self))
        case 4...8:
            value = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))) << 32
                | UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
        default:
            return XXHash64.hash(p, count: count)
        }
        // The length separates inputs whose loads coincide ("ab" vs "abb" read the same bytes).
        return SplitMix64.mix(value ^ UInt64(count) &* 0xD6E8_FEB8_6659_FD93)
    }

    static func hash(_ string: String) -> UInt64 {
        var copy = string
        return copy.withUTF8 { hash(UnsafeRawPointer($0.baseAddress ?? UnsafePointer(bitPattern: 1)!), count: $0.count) }
    }
}
