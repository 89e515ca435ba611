// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "realtime-dash",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "realtime-dash", targets: ["realtime-dash"]),
        .library(name: "RealtimeProtocol", targets: ["RealtimeProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The only C in the package: ncursesw with the wide-character API switched on.
        .systemLibrary(name: "CNcurses", path: "CNcurses"),

        // The wire contract: events, SSE parsing, WebSocket frames, endpoints. Pure Swift.
        .target(name: "RealtimeProtocol"),

        .executableTarget(
            name: "realtime-dash",
            dependencies: [
                "RealtimeProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .testTarget(name: "CNcursesTests", dependencies: ["CNcurses"]),
        .testTarget(
            name: "RealtimeProtocolTests",
            dependencies: ["RealtimeProtocol"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
