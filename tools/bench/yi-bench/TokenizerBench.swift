enum TokenizerBench {
    static func run(_ arguments: [String]) throws {
        print("TokenizerBench: not written yet")
    }
}
