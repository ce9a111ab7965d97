/// The cleaner's output bytes. A raw, growable buffer rather than `[UInt8]`: the scanner appends
/// a byte at a time in its hot loop, truncates back to a frame's start when a template closes and
/// moves link labels in place, and none of that should pay for copy-on-write checks.
/// Owned by one scanner; `deallocate()` must be called exactly once.
struct WikitextOutputBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    var isEmpty: Bool { count == 0 }
    var last: UInt8? { count > 0 ? base[count - 1] : nil }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count)
        return base[index]
    }

    /// True at the start of the text or of a line: where leading spaces are not wanted.
    var isAtLineStart: Bool { count == 0 || base[count - 1] == UInt8(ascii: "\n") }

    /// True where a following space would be redundant (line start or after a space).
    var endsWithBreakOrSpace: Bool {
        guard count > 0 else { return true }
        let b = base[count - 1]
        return b == UInt8(ascii: "\n") || b == UInt8(ascii: " ")
    }

    /// True when the text already ends with a blank line (two newlines).
    var endsWithBlankLine: Bool {
        count >= 2 && base[count - 1] == UInt8(ascii: "\n") && base[count - 2] == UInt8(ascii: "\n")
    }

    private mutating func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { reserve(1) }
        base[count] = byte
        count += 1
    }

    mutating func append(repeating byte: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initialize(repeating: byte, count: n)
        count += n
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends a Unicode scalar as UTF-8 (callers pass valid scalar values only).
    mutating func appendScalar(_ value: UInt32) {
        reserve(4)
        switch value {
        case 0..<0x80:
            append(UInt8(value))
        case 0x80..<0x800:
            append(UInt8(0xC0 | (value >> 6)))
            append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            append(UInt8(0xE0 | (value >> 12)))
            append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            append(UInt8(0x80 | (value & 0x3F)))
        default:
            append(UInt8(0xF0 | (value >> 18)))
            append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    /// Drops everything from `position` on (a no-op when the text is already shorter).
    mutating func truncate(to position: Int) {
        if position < count { count = max(position, 0) }
    }

    /// Removes `length` bytes at `position`, shifting the rest left.
    mutating func remove(at position: Int, length: Int) {
        guard length > 0, position >= 0, position + length <= count else { return }
        (base + position).update(from: base + position + length, count: count - position - length)
        count -= length
    }

    /// Inserts `n` copies of `byte` at `position`, shifting the rest right.
    mutating func insert(repeating byte: UInt8, count n: Int, at position: Int) {
        guard n > 0, position >= 0, position <= count else { return }
        reserve(n)
        (base + position + n).update(from: base + position, count: count - position)
        (base + position).update(repeating: byte, count: n)
        count += n
    }

    /// Replaces the bytes from `position` to the end with `bytes[range]` of this same buffer
    /// (`range` lies after `position`): how a link keeps only its label.
    mutating func moveTail(from start: Int, to position: Int) {
        guard start > position else { return }
        guard start < count else { count = position; return }
        let length = count - start
        (base + position).update(from: base + start, count: length)
        count = position + length
    }

    /// Removes trailing spaces and tabs, never below `floor`.
    mutating func trimTrailingSpaces(floor: Int) {
        while count > floor {
            let b = base[count - 1]
            guard b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") else { break }
            count -= 1
        }
    }

    func makeString() -> String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }
}
