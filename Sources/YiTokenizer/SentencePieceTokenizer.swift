#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import YiCore

/// YiCore's `TextTokenizer` over a SentencePiece model: one object to share between threads.
///
/// Each call borrows an encoder from a small pool (a lock is taken to borrow and to give back,
/// never while encoding) so that threads encode in parallel and keep their warm segment caches.
/// Hot loops that own a thread should hold their own `makeEncoder()` instead.
public final class SentencePieceTokenizer: TextTokenizer, @unchecked Sendable {
    public let model: SentencePieceModel
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Guarded by `mutex`.
    private var idle: [SentencePieceEncoder] = []
    /// Encoders kept for reuse at most (each holds up to 12 MB of cache).
    private let maxIdle: Int

    public init(model: SentencePieceModel, maxIdleEncoders: Int = 16) {
        self.model = model
        maxIdle = maxIdleEncoders
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    /// Loads the model at `path` (see `SentencePieceModel.init(contentsOf:)`).
    public convenience init(contentsOf path: String) throws {
        self.init(model: try SentencePieceModel(contentsOf: path))
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public var vocabularySize: Int { model.vocabularySize }
    public var bosID: TokenID? { model.bosID }
    public var eosID: TokenID? { model.eosID }

    public func encode(_ text: String) -> [TokenID] {
        withEncoder { $0.encode(text) }
    }

    public func decode(_ ids: [TokenID]) -> String {
        withEncoder { $0.decode(ids) }
    }

    /// A new encoder of this model, for a thread of one's own.
    public func makeEncoder() -> SentencePieceEncoder {
        SentencePieceEncoder(model: model)
    }

    /// Runs `body` with an encoder no other thread is using.
    public func withEncoder<Result>(_ body: (SentencePieceEncoder) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        let encoder = idle.popLast()
        pthread_mutex_unlock(mutex)
        let borrowed = encoder ?? makeEncoder()
        defer {
            pthread_mutex_lock(mutex)
            if idle.count < maxIdle { idle.append(borrowed) }
            pthread_mutex_unlock(mutex)
        }
        return try body(borrowed)
    }
}
