enum PipelineBench {
    static func run(_ arguments: [String]) throws {
        print("PipelineBench: not written yet")
    }
}
