import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a long job shows progress on stderr (`--progress`).
public enum ProgressMode: String, Sendable, CaseIterable {
    /// A bar on a terminal; off a terminal (Slurm, CI, `2> log`), timestamped log lines.
    case auto
    /// One line redrawn in place, at most five times a second.
    case bar
    /// A timestamped line every `interval` seconds, for logs; a run shorter than that prints nothing.
    case log
    case none
}

/// Progress settings of a job: the mode and the log interval.
public struct ProgressSettings: Sendable, Equatable {
    public var mode: ProgressMode
    /// Seconds between two log lines (`--progress log`, and `auto` off a terminal).
    public var logInterval: Double

    public init(mode: ProgressMode = .auto, logInterval: Double = 10) {
        self.mode = mode
        self.logInterval = logInterval
    }

    /// The older boolean switch: false is `none`, true a bar, nil `auto`.
    public init(show: Bool?) {
        self.init(mode: show.map { $0 ? .bar : .none } ?? .auto)
    }

    public var show: Bool? { mode == .none ? false : (mode == .auto ? nil : true) }
}

/// Progress of a job on stderr: bytes read, documents, tokens/s, ETA — all totals over the
/// whole run (the caller passes cumulative figures). A bar on a terminal, timestamped lines in
/// logs, or nothing (see `ProgressMode`).
public final class ProgressReporter: @unchecked Sendable {
    public struct Snapshot: Sendable {
        public var bytesRead: Int64 = 0
        public var totalBytes: Int64 = 0
        public var documents: Int = 0
        public var tokens: Int = 0
        public init() {}
    }

    private enum Style { case bar, log, none }

    private let style: Style
    private let interval: Double
    private let label: String
    private let write: (String) -> Void
    private let start: Date
    private var lastDraw: Date
    private let lock = NSLock()
    private var loggedLines = 0

    /// - Parameters:
    ///   - isTerminal: whether stderr is a terminal (nil: ask `isatty`); decides `auto`.
    ///   - write: where text goes (stderr; tests capture it).
    public init(label: String, settings: ProgressSettings, isTerminal: Bool? = nil,
                write: @escaping (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.write = write
        self.interval = max(0, settings.logInterval)
        let terminal = isTerminal ?? (isatty(STDERR_FILENO) == 1)
        switch settings.mode {
        case .auto: style = terminal ? .bar : .log
        case .bar: style = .bar
        case .log: style = .log
        case .none: style = .none
        }
        start = Date()
        lastDraw = style == .log ? start : .distantPast
    }

    /// - Parameter force: nil decides by `isatty(stderr)`; false is silent (tests).
    public convenience init(label: String, force: Bool? = nil) {
        self.init(label: label, settings: ProgressSettings(show: force))
    }

    public func update(_ snapshot: Snapshot) {
        guard style != .none else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= (style == .bar ? 0.2 : interval) else { return }
        lastDraw = now
        draw(snapshot, now: now)
    }

    /// Draws the final state: ends the bar's line; in log mode a last line, if the run was long
    /// enough to log anything at all.
    public func finish(_ snapshot: Snapshot) {
        lock.lock(); defer { lock.unlock() }
        switch style {
        case .none: return
        case .bar:
            draw(snapshot, now: Date())
            write("\n")
        case .log:
            if loggedLines > 0 { draw(snapshot, now: Date(), final: true) }
        }
    }

    private func draw(_ s: Snapshot, now: Date, final: Bool = false) {
        let text = ProgressReporter.line(label: label, snapshot: s, elapsed: now.timeIntervalSince(start))
        if style == .bar {
            write("\r\u{1B}[K" + text)
        } else {
            write(ProgressReporter.timestamp(now) + " " + text + (final ? "  done" : "") + "\n")
            loggedLines += 1
        }
    }

    /// `pack  42.0%  1.2 GB/2.9 GB  ETA 1m05s  25120 docs  15.03M tok/s` (run totals).
    static func line(label: String, snapshot s: Snapshot, elapsed rawElapsed: Double) -> String {
        let elapsed = max(rawElapsed, 1e-3)
        var parts = [label]
        if s.totalBytes > 0 {
            let fraction = min(1, Double(s.bytesRead) / Double(s.totalBytes))
            parts.append(String(format: "%5.1f%%", fraction * 100))
            parts.append("\(bytes(s.bytesRead))/\(bytes(s.totalBytes))")
            if fraction > 0.01 && fraction < 1 {
                parts.append("ETA \(duration(elapsed / fraction - elapsed))")
            }
        } else {
            parts.append(bytes(s.bytesRead))
        }
        parts.append("\(s.documents) docs")
        parts.append(String(format: "%.2fM tok/s", Double(s.tokens) / elapsed / 1e6))
        return parts.joined(separator: "  ")
    }

    /// UTC, to the second: `2026-12-04T04:30:00Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
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
