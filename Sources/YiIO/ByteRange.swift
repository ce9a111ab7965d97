/// A half-open range `[start, end)` of byte offsets in a file on disk (compressed bytes for a
/// compressed file): the unit in which a large input is cut into slices.
public struct ByteRange: Sendable, Hashable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        precondition(0 <= start && start <= end, "invalid byte range \(start)..<\(end)")
        self.start = start
        self.end = end
    }

    public var count: Int64 { end - start }

    public var description: String { "[\(start), \(end))" }
}
