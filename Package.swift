// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "realtime-dash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "realtime-dash", targets: ["realtime-dash"]),
        .library(name: "RealtimeProtocol", targets: ["RealtimeProtocol"]),
        .library(name: "DemoBackend", targets: ["DemoBackend"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.78.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.20.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.30.0"),
        .package(url: "https://github.com/vapor/websocket-kit", from: "2.16.0"),
    ],
    targets: [
        // The only C in the package: ncursesw with the wide-character API switched on.
        .systemLibrary(name: "CNcurses", path: "CNcurses"),

        // The wire contract: events, SSE parsing, WebSocket frames, endpoints. Pure Swift.
        .target(name: "RealtimeProtocol"),

        // A protocol-faithful stand-in for the DotMac backend, with a seeded ISP simulation.
        .target(
            name: "DemoBackend",
            dependencies: [
                "RealtimeProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(
            name: "realtime-dash",
            dependencies: [
                "RealtimeProtocol",
                "DemoBackend",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"]),
        .testTarget(
            name: "RealtimeProtocolTests",
            dependencies: ["RealtimeProtocol"]
        ),
        .testTarget(
            name: "DemoBackendTests",
            dependencies: [
                "DemoBackend",
                "RealtimeProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "WebSocketKit", package: "websocket-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
