// swift-tools-version:6.1
// facescan: local face analysis with Rekognition-shaped JSON output.
//
// Build settings: kernels are written with Swift SIMD types and need the host's vector ISA to be
// enabled, otherwise every SIMD fused multiply-add becomes a scalar libm call (see README, "Building").
// FACESCAN_MARCH selects the target (default "native"; e.g. "x86-64-v3" for a binary that runs on any
// AVX2 machine, "x86-64-v2" or "x86-64" for older ones, "armv8-a" on arm64).
import PackageDescription
import Foundation

let march = ProcessInfo.processInfo.environment["FACESCAN_MARCH"] ?? "native"
let optimise: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-march=\(march)"])]

let package = Package(
    name: "facescan",
    products: [
        .library(name: "FaceScan", targets: ["FaceScan"]),
        .executable(name: "facescan", targets: ["facescan"]),
    ],
    dependencies: [
        // SHA-256 (model files, identifiers) and HMAC-SHA256 (NextTokens).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        // `facescan serve`: the HTTP server (without its swift-configuration support).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        // Collections in SQLite (the embedded CollectionStore).
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // The shared job and collection store (`--store postgres://…`), and TLS to it.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            path: "Sources/CFFmpeg",
            pkgConfig: "libavformat libavcodec libswscale libavutil",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // FreeType, for the text of `facescan draw` (DejaVu Sans from Debian's fonts-dejavu-core).
        .systemLibrary(
            name: "CFreeType",
            path: "Sources/CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        // Fused multiply-add on SIMD vectors through the LLVM builtin (stdlib's addingProduct is
        // split into halves or scalar calls); needs -parse-stdlib.
        .target(
            name: "SIMDFMA",
            swiftSettings: [.unsafeFlags(["-parse-stdlib", "-Xcc", "-march=\(march)"])]
        ),
        .target(
            name: "FaceScan",
            dependencies: ["CFFmpeg", "CFreeType", "SIMDFMA", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: optimise
        ),
        // The stores behind the library's CollectionStore and JobBackend: the embedded SQLite collection
        // store (GRDB), and the shared PostgreSQL job and collection store (PostgresNIO).
        .target(
            name: "FaceScanStore",
            dependencies: ["FaceScan", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: optimise
        ),
        // `facescan serve`: Rekognition's JSON 1.1 protocol over HTTP, a thin adapter over the library.
        .target(
            name: "FaceScanServer",
            dependencies: ["FaceScan", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "NIOCore", package: "swift-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: optimise
        ),
        .target(
            name: "FaceScanCLI",
            dependencies: ["FaceScan", "FaceScanStore", "FaceScanServer"],
            swiftSettings: optimise
        ),
        .executableTarget(
            name: "facescan",
            dependencies: ["FaceScanCLI"],
            swiftSettings: optimise
        ),
        .executableTarget(
            name: "facescan-bench",
            dependencies: ["FaceScan"],
            swiftSettings: optimise
        ),
        .testTarget(
            name: "FaceScanTests",
            dependencies: ["FaceScan", "FaceScanStore", "FaceScanServer", "FaceScanCLI", "CFFmpeg"],
            // Read by path (#filePath), not as bundle resources.
            exclude: ["Goldens"],
            swiftSettings: optimise
        ),
    ],
    swiftLanguageModes: [.v5]
)
