// swift-tools-version:6.0
// PoseScope: monocular 3D human pose estimation and a terminal viewer, in Swift.
import PackageDescription

let package = Package(
  name: "PoseScope",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "posescope", targets: ["posescope"]),
    .library(name: "MediaIO", targets: ["MediaIO"]),
    .library(name: "ModelFiles", targets: ["ModelFiles"]),
    .library(name: "NeuralEngine", targets: ["NeuralEngine"]),
    .library(name: "PoseCore", targets: ["PoseCore"]),
    .library(name: "PoseEstimation", targets: ["PoseEstimation"]),
    .library(name: "TerminalUI", targets: ["TerminalUI"]),
    .library(name: "PoseLifting", targets: ["PoseLifting"]),
    .library(name: "PoseTraining", targets: ["PoseTraining"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // System libraries, each with a one-header module map and static-inline shims for macros.
    .systemLibrary(
      name: "CPNG", pkgConfig: "libpng",
      providers: [.apt(["libpng-dev"])]),
    .systemLibrary(
      name: "CTurboJPEG", pkgConfig: "libturbojpeg",
      providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(
      name: "COpenBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(
      name: "CNCurses", pkgConfig: "ncursesw",
      providers: [.apt(["libncurses-dev"])]),

    // Atomic file writes (temp file, fsync, rename) and stale-temporary clean-up, for every writer.
    .target(name: "FileSupport"),
    .target(name: "MediaIO", dependencies: ["CPNG", "CTurboJPEG", "FileSupport"]),
    .target(name: "ModelFiles", dependencies: ["FileSupport"]),
    // Float32 micro-kernels in C (AVX-512 / AVX2+FMA / portable, chosen at run time) for NeuralEngine and
    // PoseLifting.
    .target(name: "CKernels"),
    .target(name: "NeuralEngine", dependencies: ["ModelFiles", "COpenBLAS", "CKernels"]),
    .target(name: "PoseCore"),
    .target(
      name: "PoseEstimation",
      dependencies: ["FileSupport", "MediaIO", "ModelFiles", "NeuralEngine", "PoseCore"]),
    // The 2D→3D lifter's inference (CKernels' GEMM, never OpenBLAS); PoseTraining builds on it.
    .target(name: "PoseLifting", dependencies: ["ModelFiles", "PoseCore", "CKernels"]),
    .target(name: "PoseTraining", dependencies: ["PoseCore", "PoseLifting", "ModelFiles", "COpenBLAS"]),
    .target(
      name: "TerminalUI",
      dependencies: ["CNCurses", "MediaIO", "PoseCore", "PoseEstimation"]),
    .executableTarget(
      name: "posescope",
      dependencies: [
        "MediaIO", "ModelFiles", "NeuralEngine", "PoseCore", "PoseEstimation", "TerminalUI", "PoseTraining",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    .testTarget(name: "FileSupportTests", dependencies: ["FileSupport"]),
    .testTarget(name: "MediaIOTests", dependencies: ["MediaIO"], resources: [.copy("Fixtures")]),
    .testTarget(name: "ModelFilesTests", dependencies: ["ModelFiles"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "NeuralEngineTests", dependencies: ["NeuralEngine", "ModelFiles"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "PoseCoreTests", dependencies: ["PoseCore"]),
    .testTarget(
      name: "PoseEstimationTests",
      dependencies: ["PoseEstimation", "MediaIO", "PoseCore", "NeuralEngine", "ModelFiles"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "PoseLiftingTests", dependencies: ["PoseLifting", "PoseCore", "ModelFiles"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "PoseTrainingTests", dependencies: ["PoseTraining", "PoseLifting", "PoseCore", "ModelFiles"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "TerminalUITests", dependencies: ["TerminalUI", "PoseCore", "MediaIO"],
      resources: [.copy("Fixtures")]),
  ]
)
