// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "realtime-dash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "realtime-dash", targets: ["realtime-dash"]),
        .library(name: "RealtimeProtocol", targets: ["RealtimeProtocol"]),
        .library(name: "DemoBackend", targets: ["DemoBackend"]),
        .library(name: "RealtimeClient", targets: ["RealtimeClient"]),
        .library(name: "DashboardCore", targets: ["DashboardCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.78.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.30.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // The only C in the package: ncursesw with the wide-character API switched on.
        .systemLibrary(name: "CNcurses", path: "CNcurses"),
        // zlib, for gzip recordings (`--record FILE.gz`).
        .systemLibrary(name: "CZlib", path: "CZlib"),

        // The wire contract: events, SSE parsing, WebSocket frames, endpoints. Pure Swift, no config.
        .target(name: "RealtimeProtocol"),

        // Settings: the config file (DashConfig), XDG paths, and the log file handler.
        .target(
            name: "DashSettings",
            dependencies: ["RealtimeProtocol", .product(name: "Logging", package: "swift-log")]
        ),

        // The network: SSE and WebSocket transports, REST, the ConnectionManager.
        .target(
            name: "RealtimeClient",
            dependencies: [
                "RealtimeProtocol",
                "DashSettings",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The console's brain: AppState, reduce, keymap. Pure and synchronous.
        .target(
            name: "DashboardCore",
            dependencies: ["RealtimeProtocol", .product(name: "DequeModule", package: "swift-collections")]
        ),

        // AppState → an off-screen grid of styled cells. No curses.
        .target(name: "DashboardRender", dependencies: ["DashboardCore", "RealtimeProtocol"]),

        // Recordings: the bounded writer off the UI thread (gzip, rotation) and the reader.
        .target(name: "Recording", dependencies: ["RealtimeProtocol", "CZlib"]),

        // The console's run loop behind a TerminalDevice: poll, drain, reduce, draw, effects.
        .target(
            name: "ConsoleRuntime",
            dependencies: [
                "DashboardCore", "DashboardRender", "RealtimeClient", "RealtimeProtocol", "Recording",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The only importer of CNcurses: terminal set-up, diff blit, keys, colours.
        .target(
            name: "TerminalCurses",
            dependencies: ["CNcurses", "DashboardCore", "DashboardRender", "ConsoleRuntime"]
        ),

        // `tail`'s sinks: jsonl, text and count output, and when tail is done.
        .target(
            name: "TailOutput",
            dependencies: [
                "RealtimeClient", "RealtimeProtocol",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // A protocol-faithful stand-in for the DotMac backend, with a seeded ISP simulation.
        .target(
            name: "DemoBackend",
            dependencies: [
                "RealtimeProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "WSCore", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Child processes, pseudo-terminals, the console under test, quiet backends, bounded waits:
        // the one copy the test targets and the benchmarks share.
        .target(
            name: "DashTestSupport",
            dependencies: ["DemoBackend", "RealtimeProtocol", "RealtimeClient"]
        ),

        // `realtime-dash bench`'s scenarios.
        .target(
            name: "DashBench",
            dependencies: [
                "DashTestSupport", "DashboardCore", "DashboardRender", "DemoBackend", "RealtimeClient",
                "RealtimeProtocol", "Recording",
            ]
        ),

        .executableTarget(
            name: "realtime-dash",
            dependencies: [
                "RealtimeProtocol",
                "DashSettings",
                "RealtimeClient",
                "DemoBackend",
                "DashboardCore",
                "DashboardRender",
                "ConsoleRuntime",
                "TerminalCurses",
                "TailOutput",
                "DashBench",
                "Recording",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"]),
        .testTarget(name: "RealtimeProtocolTests", dependencies: ["RealtimeProtocol"]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "RealtimeProtocol"]),
        .testTarget(name: "DashSettingsTests", dependencies: ["DashSettings", "RealtimeProtocol"]),
        .testTarget(name: "DashboardCoreTests", dependencies: ["DashboardCore", "RealtimeProtocol"]),
        .testTarget(
            name: "DashboardRenderTests",
            dependencies: ["DashboardRender", "DashboardCore", "RealtimeProtocol"],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "ConsoleRuntimeTests",
            dependencies: [
                "ConsoleRuntime", "DashboardCore", "DashboardRender", "RealtimeClient", "RealtimeProtocol",
                "DemoBackend", "DashTestSupport", "Recording",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "TailOutputTests",
            dependencies: ["TailOutput", "RealtimeClient", "RealtimeProtocol"]
        ),
        .testTarget(
            name: "RealtimeClientTests",
            dependencies: [
                "RealtimeClient",
                "RealtimeProtocol",
                "DashSettings",
                "DemoBackend",
                "DashTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // End to end: the built executable as a subprocess (depending on it makes `swift test` build
        // it; nothing imports it).
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "realtime-dash", "DashTestSupport", "DemoBackend", "RealtimeProtocol", "RealtimeClient",
                "DashboardCore", "DashboardRender", "DashSettings", "ConsoleRuntime",
            ]
        ),
        .testTarget(
            name: "DemoBackendTests",
            dependencies: [
                "DemoBackend",
                "RealtimeProtocol",
                "RealtimeClient",
                "DashTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
