#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A test hook on every output write, for the crash-safety and full-disk tests
/// (docs/reliability.md). `YI_TEST_WRITE_FAULT` selects it when the process starts:
///
/// - `trace`: print each write event to stderr as `yi-test-write-event N KIND PATH`;
/// - `kill:N`: at the N-th event (from 1), SIGKILL the process — a `write` event first writes
///   half of its bytes, so the temporary file is left torn; a `rename` event dies just before the
///   rename, a `renamed` event just after it;
/// - `enospc:N`: from the N-th `write` event on, every write fails with ENOSPC (a full disk).
///
/// Unset (every normal run), `plan` is nil and each event costs one load and branch.
public enum WriteFaultInjection {
    public enum EventKind: String, Sendable { case write, rename, renamed }

    public enum Plan: Sendable, Equatable {
        case trace
        case kill(atEvent: Int)
        case noSpace(fromWrite: Int)
    }

    public static let plan: Plan? = {
        guard let raw = getenv("YI_TEST_WRITE_FAULT") else { return nil }
        let text = String(cString: raw)
        if text == "trace" { return .trace }
        let fields = text.split(separator: ":")
        guard fields.count == 2, let n = Int(fields[1]), n >= 1 else { return nil }
        switch fields[0] {
        case "kill": return .kill(atEvent: n)
        case "enospc": return .noSpace(fromWrite: n)
        default: return nil
        }
    }()

    /// What the writer must do at this event.
    public enum Action { case proceed, killAfterPartialWrite, killNow, failNoSpace }

    private static let counter = EventCounter()

    /// Counts one event; only called when `plan` is set.
    public static func event(_ kind: EventKind, path: String) -> Action {
        guard let plan else { return .proceed }
        let (n, writes) = counter.next(isWrite: kind == .write)
        switch plan {
        case .trace:
            fputs("yi-test-write-event \(n) \(kind.rawValue) \(path)\n", stderr)
            return .proceed
        case .kill(let at):
            guard n == at else { return .proceed }
            return kind == .write ? .killAfterPartialWrite : .killNow
        case .noSpace(let from):
            return kind == .write && writes >= from ? .failNoSpace : .proceed
        }
    }

    public static func kill() -> Never {
        raise(SIGKILL)
        fatalError("SIGKILL did not end the process")
    }

    /// Event numbers across threads (the reject log may write beside the shard writer).
    private final class EventCounter: @unchecked Sendable {
        // Allocated, not a stored struct: pthread mutexes must not move.
        private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
            let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
            pthread_mutex_init(m, nil)
            return m
        }()
        private var events = 0
        private var writes = 0

        func next(isWrite: Bool) -> (event: Int, writes: Int) {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            events += 1
            if isWrite { writes += 1 }
            return (events, writes)
        }
    }
}
