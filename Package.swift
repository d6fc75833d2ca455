// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "fcgi-referral",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fcgi-referral", targets: ["fcgi-referral"]),
        .executable(name: "referral-admin", targets: ["referral-admin"]),
        .executable(name: "referral-payout", targets: ["referral-payout"]),
        .executable(name: "referral-webhooks", targets: ["referral-webhooks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // One system library target per C library, each found through its Debian 12 pkg-config file.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // epoll, which Swift's Glibc module leaves out; part of the C library, nothing to install.
        .systemLibrary(name: "CLinux"),
        .target(
            name: "Shared",
            dependencies: [
                "CFastCGI", "CSodium", "CSQLite", "CQRencode", "CCurl", "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "fcgi-referral", dependencies: ["Shared"]),
        .executableTarget(
            name: "referral-admin",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "referral-payout",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "referral-webhooks",
            dependencies: ["Shared", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SharedTests", dependencies: ["Shared"]),
    ],
    swiftLanguageModes: [.v6]
)
