// posescope: `models` — where the models are, whether they are there, and what they contain.
import ArgumentParser
import Foundation
import PoseScope

struct Models: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show where PoseScope looks for its models and check them.",
    discussion:
      "Fetch them with `scripts/fetch-assets.sh models` (from the mediapipe==0.10.14 wheel on PyPI).")

  func run() throws {
    print("models folder: \(Assets.modelsDirectory)")
    var missing = false
    for file in [ModelStore.detectorFile, ModelStore.landmarkFile] {
      do {
        let path = try ModelStore.modelPath(file)
        let model = try TFLiteModel.read(path: path)
        let it = try Interpreter(model: model)
        let ins = it.inputs.map { "\($0.name)\($0.shape)" }.joined(separator: ", ")
        let outs = it.outputs.map { "\($0.name)\($0.shape)" }.joined(separator: ", ")
        print(
          "  \(file): ok — \(model.bytes.count) bytes, \(model.subgraphs[0].operators.count) operators "
            + "(\(it.kernelCount) after folding constants), arena \(it.arenaCount * 4 / 1024) KiB")
        print("    in: \(ins)\n    out: \(outs)")
      } catch {
        missing = true
        print("  \(file): \(error)")
      }
    }
    print("samples folder: \(Assets.samplesDirectory)")
    print("lifter: \(Assets.shippedLifter() ?? "none found (see README, The AITE lifter)")")
    if missing { throw ExitCode(1) }
  }
}
