// ModelStore: missing and broken model files give errors that say what to do.
import Foundation
import ModelFiles
import NeuralEngine
import PoseScopeTestSupport
import Testing

@testable import PoseEstimation

struct ModelStoreTests {
  @Test func missingModelNamesTheFetchCommand() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-models")
    defer { TestFiles.remove(dir) }
    #expect(throws: MissingModelError(path: dir + "/pose_detection.tflite")) {
      try ModelStore.loadBlazePose(directory: dir)
    }
    let message = "\(MissingModelError(path: dir + "/pose_detection.tflite"))"
    #expect(message.contains("scripts/fetch-assets.sh models"))
    #expect(message.contains(dir))
  }

  @Test func truncatedModelIsAClearError() throws {
    let dir = try TestFiles.makeTemporaryFolder("posescope-models")
    defer { TestFiles.remove(dir) }
    let real = try ModelStore.modelPath(ModelStore.detectorFile)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: real))
    let path = dir + "/" + ModelStore.detectorFile
    try TestFiles.write(bytes.prefix(bytes.count / 3), to: path)
    try TestFiles.write(
      Data(contentsOf: URL(fileURLWithPath: try ModelStore.modelPath(ModelStore.landmarkFile))),
      to: dir + "/" + ModelStore.landmarkFile)
    do {
      _ = try ModelStore.loadBlazePose(directory: dir)
      Issue.record("a truncated detector must not load")
    } catch let e as ModelFilesError {
      #expect(e.path == path)
      guard case .malformed = e.kind else {
        Issue.record("expected malformed, got \(e)")
        return
      }
    }
  }

  @Test func directoriesFollowTheEnvironmentOrder() {
    // Only reads the environment (no setenv: tests run in parallel).
    let e = ProcessInfo.processInfo.environment
    if let d = e["POSESCOPE_MODELS"], !d.isEmpty {
      #expect(FetchedAssets.modelsDirectory == d)
    } else if let x = e["XDG_CACHE_HOME"], !x.isEmpty {
      #expect(FetchedAssets.modelsDirectory == x + "/posescope/models")
    } else {
      #expect(FetchedAssets.modelsDirectory.hasSuffix("/.cache/posescope/models"))
    }
    #expect(FetchedAssets.samplesDirectory.hasSuffix("samples") || e["POSESCOPE_SAMPLES"] != nil)
  }
}
