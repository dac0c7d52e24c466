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
    .library(name: "PoseFormats", targets: ["PoseFormats"]),
    .library(name: "PoseScope", targets: ["PoseScope"]),
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
    // No pkgConfig: ncursesw.pc's cflags (-D_DEFAULT_SOURCE -D_XOPEN_SOURCE=600) are flags SwiftPM refuses
    // (a warning on every build); shim.h defines what the wide-character API needs, and the module map links
    // ncursesw (on Debian its linker script brings in tinfo).
    .systemLibrary(
      name: "CNCurses",
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
    .target(name: "PoseEstimation", dependencies: ["MediaIO", "ModelFiles", "NeuralEngine", "PoseCore"]),
    // The estimate schema (JSON/CSV), BVH writing, ground-truth sidecars.
    .target(name: "PoseFormats", dependencies: ["FileSupport", "PoseCore"]),
    // The 2D→3D lifter's inference (CKernels' GEMM, never OpenBLAS); PoseTraining builds on it.
    .target(name: "PoseLifting", dependencies: ["ModelFiles", "NeuralEngine", "PoseCore", "CKernels"]),
    .target(
      name: "PoseTraining",
      dependencies: ["PoseCore", "PoseFormats", "PoseLifting", "ModelFiles", "COpenBLAS"]),
    // The umbrella: the pipeline (media in, one frame model out), background estimation, consistent bones,
    // the assets locator; re-exports the libraries below it.
    .target(
      name: "PoseScope",
      dependencies: [
        "FileSupport", "MediaIO", "ModelFiles", "NeuralEngine", "PoseCore", "PoseEstimation", "PoseFormats",
        "PoseLifting",
      ]),
    // The terminal guard: quit signals as a flag, the terminal restored on a crash (one copy of its state).
    .target(name: "CTerminal"),
    .target(name: "TerminalUI", dependencies: ["CNCurses", "CTerminal", "PoseScope"]),
    .executableTarget(
      name: "posescope",
      dependencies: [
        "PoseScope", "TerminalUI", "PoseTraining",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // Helpers every test target shares: temporary folders and files, fetched assets, fixtures, seeded random
    // data, comparisons, test videos.
    .target(
      name: "PoseScopeTestSupport", dependencies: ["MediaIO", "PoseCore"], path: "Tests/PoseScopeTestSupport"),
    .testTarget(name: "FileSupportTests", dependencies: ["FileSupport", "PoseScopeTestSupport"]),
    .testTarget(
      name: "MediaIOTests", dependencies: ["MediaIO", "PoseScopeTestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "ModelFilesTests", dependencies: ["ModelFiles", "PoseScopeTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "NeuralEngineTests", dependencies: ["NeuralEngine", "ModelFiles", "PoseScopeTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "PoseCoreTests", dependencies: ["PoseCore", "PoseScopeTestSupport"]),
    .testTarget(
      name: "PoseEstimationTests",
      dependencies: [
        "PoseEstimation", "MediaIO", "PoseCore", "NeuralEngine", "ModelFiles", "PoseScopeTestSupport",
      ],
      resources: [.copy("Fixtures")]),
    .testTarget(name: "PoseFormatsTests", dependencies: ["PoseFormats", "PoseScopeTestSupport"]),
    .testTarget(
      name: "PoseScopeTests", dependencies: ["PoseScope", "TerminalUI", "PoseScopeTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "PoseLiftingTests",
      dependencies: ["PoseLifting", "PoseCore", "ModelFiles", "PoseScopeTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "PoseTrainingTests",
      dependencies: [
        "PoseTraining", "PoseLifting", "PoseCore", "PoseFormats", "ModelFiles", "PoseScopeTestSupport",
      ],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "TerminalUITests", dependencies: ["TerminalUI", "PoseScope", "PoseScopeTestSupport"],
      resources: [.copy("Fixtures")]),
  ]
)
