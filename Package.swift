// swift-tools-version:6.1
// yi-prep: corpora → exact Yi token ids → packed 8K/16K Megatron shards.
// Module layout and rules: see README.md ("Architecture"). Stage modules do not import each other;
// YiPipeline wires them. Only YiIO and YiReaders see C.
import PackageDescription

let package = Package(
    name: "yi-prep",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "yi-prep", targets: ["yi-prep"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // C libraries, one systemLibrary target each (module.modulemap + shim.h).
        .systemLibrary(name: "CYiZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
        .systemLibrary(name: "CYiXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"]), .brew(["libxml2"])]),
        .systemLibrary(name: "CYiBzip2", providers: [.apt(["libbz2-dev"]), .brew(["bzip2"])]),
        .systemLibrary(name: "CYiZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Stages and infrastructure.
        .target(name: "YiCore"),
        // SHA-256 for checksums (swift-crypto); only the modules that hash depend on it.
        .target(name: "YiChecksum", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "YiIO", dependencies: ["YiCore", "CYiZstd", "CYiBzip2", "CYiZlib"]),
        .target(name: "YiReaders", dependencies: ["YiCore", "YiIO", "CYiXML2"]),
        .target(name: "YiFilters", dependencies: ["YiCore"]),
        // A prefetch hint for the encoder's cache lookups (Swift has none).
        .target(name: "CYiPrefetch"),
        .target(name: "YiTokenizer", dependencies: ["YiCore", "YiChecksum", "CYiPrefetch"]),
        .target(name: "YiPacking", dependencies: ["YiCore"]),
        .target(name: "YiShards", dependencies: ["YiCore", "YiChecksum"]),
        .target(name: "YiContext", dependencies: ["YiCore", "YiTokenizer"]),
        .target(name: "YiPipeline", dependencies: [
            "YiCore", "YiChecksum", "YiIO", "YiReaders", "YiFilters", "YiTokenizer", "YiPacking", "YiShards",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "YiPrepCLI", dependencies: [
            "YiCore", "YiPipeline", "YiTokenizer", "YiShards", "YiContext", "YiReaders",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "yi-prep", dependencies: ["YiPrepCLI"]),

        // Release-mode benchmark driver (see tools/bench/README.md); not part of the tests.
        .executableTarget(name: "yi-bench",
                          dependencies: ["YiCore", "YiIO", "YiReaders", "YiTokenizer"],
                          path: "tools/bench/yi-bench"),

        // Fuzz targets (docs/reliability.md): a replay tool here; tools/fuzz/build.sh makes it a
        // libFuzzer binary. Not part of the tests beyond replaying the regression inputs.
        .executableTarget(name: "yi-fuzz",
                          dependencies: ["YiCore", "YiIO", "YiReaders", "YiTokenizer", "YiPipeline", "YiShards"],
                          path: "tools/fuzz/yi-fuzz"),

        // Tests: one target per module, plus a small support library (fixture paths, temp dirs).
        .target(name: "YiTestSupport", dependencies: ["YiCore", "CYiZstd", "CYiBzip2", "CYiZlib"], path: "Tests/YiTestSupport"),
        .testTarget(name: "YiCoreTests", dependencies: ["YiCore", "YiTestSupport"]),
        .testTarget(name: "YiChecksumTests", dependencies: ["YiChecksum"]),
        .testTarget(name: "YiIOTests", dependencies: ["YiIO", "YiTestSupport"]),
        .testTarget(name: "YiReadersTests", dependencies: [
            "YiReaders", "YiIO", "YiTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ],
                    exclude: ["Fixtures"]),
        .testTarget(name: "YiFiltersTests", dependencies: ["YiFilters", "YiTestSupport"]),
        .testTarget(name: "YiTokenizerTests", dependencies: [
            "YiTokenizer", "YiIO", "YiTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Golden"]),
        .testTarget(name: "YiPackingTests", dependencies: [
            "YiPacking", "YiTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "YiShardsTests", dependencies: [
            "YiShards", "YiChecksum", "YiTestSupport",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ], exclude: ["Fixtures"]),  // datasets shared with tools/tests (Python), read by path
        .testTarget(name: "YiContextTests", dependencies: ["YiContext", "YiTokenizer", "YiTestSupport"]),
        .testTarget(name: "YiPipelineTests", dependencies: ["YiPipeline", "YiTestSupport"]),
        .testTarget(name: "YiPrepCLITests", dependencies: [
            "YiPrepCLI", "YiPipeline", "YiShards", "YiTokenizer", "YiIO", "YiChecksum", "YiTestSupport",
        ]),
    ],
    swiftLanguageModes: [.v5]
)
