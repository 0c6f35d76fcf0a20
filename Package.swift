// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "MeterBridge",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "meterbridge", targets: ["meterbridge"]),
        .executable(name: "meterbridge-worker", targets: ["meterbridge-worker"]),
        .executable(name: "meterbridge-planner", targets: ["meterbridge-planner"]),
        .executable(name: "meterbridge-bench", targets: ["meterbridge-bench"]),
        .library(name: "Postgres", targets: ["Postgres"]),
        .library(name: "JobQueue", targets: ["JobQueue"]),
        // MARK: Metronome API client and sandbox (products)
        .library(name: "Metronome", targets: ["Metronome"]),
        .library(name: "MetronomeSandbox", targets: ["MetronomeSandbox"]),
        .executable(name: "metronome-sandbox", targets: ["metronome-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        // MARK: Metronome API client and sandbox (dependencies)
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // MARK: The web console (dependencies)
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        // MARK: MCP server (dependencies)
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.0"),
    ],
    targets: [
        // MARK: Foundation: libpq, the Postgres driver, the job queue
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Schema",
            dependencies: ["Postgres", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "CommandSupport",
            dependencies: [
                "TextOutput",
                "Postgres", "Importer", "Metronome",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "JobQueue",
            dependencies: [
                "Postgres", "Backoff",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: The import pipeline
        .target(
            name: "Importer",
            dependencies: [
                "Postgres", "JobQueue", "Metronome", "Backoff", "TextOutput",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: Text for people and machines: tables, CSV, JSON, timestamps (the CLI's and the console's)
        .target(name: "TextOutput", swiftSettings: strict),
        .testTarget(name: "TextOutputTests", dependencies: ["TextOutput"], swiftSettings: strict),

        // MARK: Waiting before trying again, for every retry loop
        .target(name: "Backoff", swiftSettings: strict),
        .testTarget(name: "BackoffTests", dependencies: ["Backoff"], swiftSettings: strict),

        // MARK: The application layer: the use cases every front-end (CLI, console, MCP) calls
        .target(
            name: "UseCases",
            dependencies: [
                "Postgres", "JobQueue", "Importer", "Metronome", "TextOutput",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UseCasesTests",
            dependencies: ["UseCases", "Importer", "JobQueue", "Postgres", "Metronome", "TestSupport", "TextOutput"],
            swiftSettings: strict
        ),

        // MARK: Operations: health, readiness and Prometheus metrics over HTTP
        .target(
            name: "ServiceEndpoints",
            dependencies: [
                "Postgres", "Schema", "JobQueue",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // MARK: The web console: `meterbridge serve`
        .target(
            name: "Console",
            dependencies: [
                "Postgres", "JobQueue", "Importer", "Metronome", "UnitEconomics", "TextOutput", "UseCases",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConsoleTests",
            dependencies: [
                "Console", "Importer", "JobQueue", "Postgres", "Metronome", "MetronomeSandbox", "TestSupport", "TextOutput", "UnitEconomics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Executables: argument parsing, configuration, logging and lifecycle only
        .executableTarget(
            name: "meterbridge",
            dependencies: [
                "Postgres", "JobQueue", "Schema", "CommandSupport", "Importer", "Metronome", "UnitEconomics", "Console", "UseCases",
                "TextOutput",
                "MCPServer", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meterbridge-worker",
            dependencies: [
                "Postgres", "JobQueue", "Schema", "CommandSupport", "Importer", "Metronome", "ServiceEndpoints",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meterbridge-planner",
            dependencies: [
                "Postgres", "JobQueue", "Schema", "CommandSupport", "Importer", "Metronome", "ServiceEndpoints",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "meterbridge-bench",
            dependencies: [
                "Postgres", "JobQueue", "Schema", "UnitEconomics", "Importer", "Metronome",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Metronome API client and sandbox
        .target(
            name: "Metronome",
            dependencies: [
                "Backoff",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "MetronomeSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "metronome-sandbox",
            dependencies: [
                "MetronomeSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MetronomeTests",
            dependencies: [
                "Metronome", "MetronomeSandbox", .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MetronomeSandboxTests",
            dependencies: [
                "MetronomeSandbox", "Metronome",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),

        // MARK: Unit economics: FOCUS cost import, cost reports, analyses, charts
        .target(
            name: "UnitEconomics",
            dependencies: ["Postgres", "Importer", "Metronome", "TextOutput", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "UnitEconomicsTests",
            dependencies: [
                "UnitEconomics", "Postgres", "TestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),

        // MARK: MCP server: the reports and the import's state as tools for any MCP client
        .target(
            name: "MCPServer",
            dependencies: [
                "Postgres", "JobQueue", "Importer", "Metronome", "UnitEconomics", "UseCases",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MCPServerTests",
            dependencies: [
                "MCPServer", "UnitEconomics", "Postgres", "JobQueue", "Importer", "Metronome", "MetronomeSandbox", "TestSupport",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: ["Postgres", "Schema", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ImporterTests",
            dependencies: [
                "Importer", "JobQueue", "Postgres", "Metronome", "MetronomeSandbox", "TestSupport", "UnitEconomics",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OperationsTests",
            dependencies: [
                "ServiceEndpoints", "JobQueue", "Postgres", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DeployTests",
            dependencies: ["Postgres", "TestSupport", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: ["Postgres", "Schema", "TestSupport", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict),
        .testTarget(
            name: "JobQueueTests",
            dependencies: [
                "JobQueue", "Postgres", "TestSupport", "Backoff",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
