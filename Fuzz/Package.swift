// swift-tools-version:6.0
// PoseScope fuzz targets: one libFuzzer executable per loader, built against the main package by path.
// Build and run them with Fuzz/run.sh (see Fuzz/README.md); they need `-sanitize=fuzzer,address`.
import PackageDescription

let package = Package(
  name: "PoseScopeFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(path: "..")],
  targets: [
    .target(name: "CFuzzDriver"),
    .executableTarget(
      name: "FuzzTFLite",
      dependencies: [
        "CFuzzDriver", .product(name: "ModelIO", package: "main"), .product(name: "NeuralEngine", package: "main"),
      ]),
    .executableTarget(name: "FuzzPNG", dependencies: ["CFuzzDriver", .product(name: "ImageIO", package: "main")]),
    .executableTarget(name: "FuzzJPEG", dependencies: ["CFuzzDriver", .product(name: "ImageIO", package: "main")]),
    .executableTarget(name: "FuzzSafetensors", dependencies: ["CFuzzDriver", .product(name: "ModelIO", package: "main")]),
    .executableTarget(name: "FuzzBVH", dependencies: ["CFuzzDriver", .product(name: "PoseTraining", package: "main")]),
    .executableTarget(
      name: "FuzzJSON",
      dependencies: [
        "CFuzzDriver", .product(name: "PoseTraining", package: "main"), .product(name: "TerminalUI", package: "main"),
        .product(name: "PoseCore", package: "main"),
      ]),
  ]
)
