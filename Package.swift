// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Taskwire",
    products: [
        .executable(name: "taskwire", targets: ["taskwire"]),
        .library(name: "TaskwireProtocol", targets: ["TaskwireProtocol"]),
        .library(name: "TaskwireClient", targets: ["TaskwireClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CMalloc"),
        .systemLibrary(name: "CSQLite"),
        .systemLibrary(
            name: "CHiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // libpq's header at build time (libpq-dev); the library itself is loaded on first use (Sources/CLibpq).
        // DWARF 4 like the Swift code's: valgrind (3.19) gives up on a binary that mixes it with clang's DWARF 5.
        .target(
            name: "CLibpq",
            cSettings: [.unsafeFlags(["-gdwarf-4"])],
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "TaskwireProtocol", swiftSettings: swiftSettings),
        .target(name: "TaskwireCrypto", dependencies: ["COpenSSL", "TaskwireSync"], swiftSettings: swiftSettings),
        .target(name: "TaskwireSync", swiftSettings: swiftSettings),
        .target(
            name: "TaskwireTransport",
            dependencies: ["TaskwireProtocol", "TaskwireSync", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireStore",
            dependencies: [
                "TaskwireProtocol", "TaskwireCrypto", "TaskwireSync", "CSQLite", "CLinux",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwirePostgres",
            dependencies: [
                "CLibpq", "TaskwireStore", "TaskwireProtocol", "TaskwireCrypto", "TaskwireSync",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireRelay",
            dependencies: [
                "CHiredis", "TaskwireCrypto", "TaskwireProtocol", "TaskwireSync",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireServer",
            dependencies: [
                "TaskwireProtocol", "TaskwireSync", "TaskwireTransport", "TaskwireStore", "TaskwireRelay",
                "TaskwireCrypto",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireMCP",
            dependencies: [
                "TaskwireProtocol", "TaskwireSync", "TaskwireTransport", "TaskwireStore", "TaskwireRelay",
                "TaskwireServer", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireClient",
            dependencies: ["TaskwireProtocol", "TaskwireSync", "TaskwireTransport"],
            swiftSettings: swiftSettings
        ),
        .target(name: "TaskwireBoard", dependencies: ["TaskwireProtocol"], swiftSettings: swiftSettings),
        .target(
            name: "TaskwireTranscripts",
            dependencies: ["TaskwireClient", "TaskwireProtocol", "TaskwireSync", "TaskwireTransport"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taskwire",
            dependencies: [
                "TaskwireServer", "TaskwireMCP", "TaskwireStore", "TaskwirePostgres", "TaskwireProtocol",
                "TaskwireClient", "TaskwireTranscripts", "TaskwireSync", "TaskwireBoard", "CMalloc", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireTestSupport",
            dependencies: ["TaskwireClient", "TaskwireTranscripts", "TaskwireProtocol", "TaskwireSync"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taskwire-bench",
            dependencies: [
                "TaskwireClient", "TaskwireProtocol", "TaskwireRelay", "TaskwireSync", "TaskwireTranscripts",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/Sources",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TaskwireFuzzSupport",
            path: "Fuzz/Support",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taskwire-fuzz",
            dependencies: ["TaskwireFuzzSupport", "TaskwireProtocol", "TaskwireTransport"],
            path: "Fuzz/Framing",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taskwire-fuzz-relay",
            dependencies: ["TaskwireCrypto", "TaskwireFuzzSupport", "TaskwireProtocol", "TaskwireRelay"],
            path: "Fuzz/Relay",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TaskwireProtocolTests", dependencies: ["TaskwireProtocol"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TaskwireBoardTests",
            dependencies: ["TaskwireBoard", "TaskwireProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TaskwireCryptoTests", dependencies: ["TaskwireCrypto"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TaskwireTransportTests",
            dependencies: ["TaskwireTransport", "TaskwireProtocol", "TaskwireSync"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwireStoreTests",
            dependencies: [
                "TaskwireStore", "TaskwireCrypto", "TaskwireProtocol", "TaskwireSync",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwirePostgresTests",
            dependencies: [
                "TaskwirePostgres", "TaskwireStore", "TaskwireProtocol", "TaskwireCrypto", "TaskwireSync",
                "TaskwireTranscripts", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwireServerTests",
            dependencies: ["TaskwireServer", "TaskwireProtocol", "TaskwireTransport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwireMCPTests",
            dependencies: ["TaskwireMCP", "TaskwireServer", "TaskwireProtocol"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwireRelayTests",
            dependencies: [
                "TaskwireRelay", "TaskwireCrypto", "TaskwireProtocol", "TaskwireTranscripts", "TaskwireSync",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "taskwire-stdout-probe",
            dependencies: ["TaskwireTransport", "TaskwireProtocol"],
            path: "Tests/StdoutProbe",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TaskwireEndToEndTests",
            dependencies: [
                "TaskwireTestSupport", "TaskwireClient", "TaskwireTranscripts", "TaskwireProtocol", "TaskwireSync",
                "TaskwireRelay", "TaskwireCrypto",
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
