// swift-tools-version:6.0
// PoseScope fuzz targets: one libFuzzer executable per loader, built against the main package by path.
// Build and run them with Fuzz/run.sh (see Fuzz/README.md); they need `-sanitize=fuzzer,address`.
import PackageDescription

let package = Package(
  name: "PoseScopeFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [.package(name: "PoseScope", path: "..")],
  targets: [
    .target(name: "CFuzzDriver"),
    .executableTarget(
      name: "FuzzTFLite",
      dependencies: [
        "CFuzzDriver", .product(name: "ModelFiles", package: "PoseScope"),
        .product(name: "NeuralEngine", package: "PoseScope"),
      ]),
    .executableTarget(
      name: "FuzzPNG", dependencies: ["CFuzzDriver", .product(name: "MediaIO", package: "PoseScope")]),
    .executableTarget(
      name: "FuzzJPEG", dependencies: ["CFuzzDriver", .product(name: "MediaIO", package: "PoseScope")]),
    .executableTarget(
      name: "FuzzSafetensors", dependencies: ["CFuzzDriver", .product(name: "ModelFiles", package: "PoseScope")]),
    .executableTarget(
      name: "FuzzBVH", dependencies: ["CFuzzDriver", .product(name: "PoseFormats", package: "PoseScope")]),
    .executableTarget(
      name: "FuzzJSON",
      dependencies: [
        "CFuzzDriver", .product(name: "PoseTraining", package: "PoseScope"),
        .product(name: "PoseFormats", package: "PoseScope"),
        .product(name: "PoseCore", package: "PoseScope"),
      ]),
  ]
)
