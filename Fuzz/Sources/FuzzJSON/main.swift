// Fuzz target: the JSON/CSV readers — pose sequences and training configs (PoseTraining), ground-truth
// sidecars (PoseFormats: no ncurses linked) and subject bone-length files (PoseCore, read from a temporary
// file in $TMPDIR, which Fuzz/run.sh points into .build-fuzz/tmp).
import CFuzzDriver
import Foundation
import PoseCore
import PoseFormats
import PoseTraining

private let boneFile: String = {
  let dir = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
  return dir + "/posescope-fuzz-bones-\(getpid()).json"
}()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  let input = Data(bytes: data, count: size)
  _ = try? PoseSequence.decodeJSON(input, path: "fuzz.json")
  _ = try? PoseSequence.decodeCSV(input, path: "fuzz.csv")
  _ = try? JSONDecoder().decode(VirtualCameraConfig.self, from: input)
  _ = try? JSONDecoder().decode(AugmentationConfig.self, from: input)
  _ = try? GroundTruth.parse(input, path: "fuzz.gt.json", frameCount: 4)
  if FileManager.default.createFile(atPath: boneFile, contents: input) {
    _ = try? SubjectBoneLengths.read(path: boneFile)
  }
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzJSON))
