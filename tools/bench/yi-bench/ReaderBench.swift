enum ReaderBench {
    static func run(_ arguments: [String]) throws {
        print("ReaderBench: not written yet")
    }
}
