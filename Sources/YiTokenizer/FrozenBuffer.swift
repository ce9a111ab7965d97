/// A fixed-size heap buffer that is filled while a model loads and never written afterwards.
///
/// The hot loops read the model's tables through raw pointers (no bounds checks, no
/// reference counting per access); this class owns such a pointer and frees it. It is Sendable
/// because nothing writes to it once the model that owns it is published.
final class FrozenBuffer<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let count: Int

    init(repeating value: Element, count: Int) {
        self.count = count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    init(_ elements: [Element]) {
        count = elements.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        elements.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { base.initialize(from: start, count: count) }
        }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get { base[index] }
        set { base[index] = newValue }  // only while the owning model is being built
    }

    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}

/// Hashing of short byte strings (pieces, text segments): 8 bytes at a time with a
/// multiply-xorshift mix. Not cryptographic; inputs here are not adversarial in a way that
/// matters (a collision costs a comparison, never a wrong answer).
enum ByteHash {
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        if i < count {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            while i < count {
                word |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ word) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h ^ (h >> 32)
    }

    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var i = 0
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

/// Many byte strings stored back to back: string k is `bytes[offsets[k] ..< offsets[k + 1]]`.
struct ByteArena: Sendable {
    let bytes: FrozenBuffer<UInt8>
    let offsets: FrozenBuffer<Int32>

    init(_ strings: [[UInt8]]) {
        var all: [UInt8] = []
        all.reserveCapacity(strings.reduce(0) { $0 + $1.count })
        var offsets: [Int32] = [0]
        offsets.reserveCapacity(strings.count + 1)
        for string in strings {
            all.append(contentsOf: string)
            offsets.append(Int32(all.count))
        }
        bytes = FrozenBuffer(all)
        self.offsets = FrozenBuffer(offsets)
    }

    var count: Int { offsets.count - 1 }

    @inline(__always)
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        let start = Int(offsets[index])
        return UnsafeBufferPointer(start: bytes.base + start, count: Int(offsets[index + 1]) - start)
    }
}
