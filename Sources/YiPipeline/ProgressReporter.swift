import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress display on stderr (bytes read, documents, tokens/s, ETA), redrawn at most
/// five times a second, and only when stderr is a terminal: logs and CI output stay clean.
public final class ProgressReporter: @unchecked Sendable {
    public struct Snapshot: Sendable {
        public var bytesRead: Int64 = 0
        public var totalBytes: Int64 = 0
        public var documents: Int = 0
        public var tokens: Int = 0
        public init() {}
    }

    private let enabled: Bool
    private let label: String
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()
    private var drewSomething = false

    /// - Parameter force: nil decides by `isatty(stderr)`; tests pass false.
    public init(label: String, force: Bool? = nil) {
        self.label = label
        self.enabled = force ?? (isatty(STDERR_FILENO) == 1)
    }

    public func update(_ snapshot: Snapshot) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        draw(snapshot, now: now)
    }

    /// Draws the final state and ends the line.
    public func finish(_ snapshot: Snapshot) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        draw(snapshot, now: Date())
        FileHandle.standardError.write("\n".data(using: .utf8)!)
    }

    private func draw(_ s: Snapshot, now: Date) {
        let elapsed = max(now.timeIntervalSince(start), 1e-3)
        var parts = [label]
        if s.totalBytes > 0 {
            let fraction = min(1, Double(s.bytesRead) / Double(s.totalBytes))
            parts.append(String(format: "%5.1f%%", fraction * 100))
            parts.append("\(ProgressReporter.bytes(s.bytesRead))/\(ProgressReporter.bytes(s.totalBytes))")
            if fraction > 0.01 && fraction < 1 {
                parts.append("ETA \(ProgressReporter.duration(elapsed / fraction - elapsed))")
            }
        } else {
            parts.append(ProgressReporter.bytes(s.bytesRead))
        }
        parts.append("\(s.documents) docs")
        parts.append(String(format: "%.2fM tok/s", Double(s.tokens) / elapsed / 1e6))
        let line = "\r\u{1B}[K" + parts.joined(separator: "  ")
        FileHandle.standardError.write(line.data(using: .utf8)!)
        drewSomething = true
    }

    public static func bytes(_ n: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
