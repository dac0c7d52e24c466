// Fuzz target: the BVH reader (PoseFormats), plus forward kinematics of the first and last frame.
import CFuzzDriver
import Foundation
import PoseFormats

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzBVH(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  guard let data else { return 0 }
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  guard let bvh = try? BVH(bytes: bytes, path: "fuzz.bvh") else { return 0 }
  if bvh.frameCount > 0 {
    _ = bvh.worldTransforms(frame: 0)
    _ = bvh.worldTransforms(frame: bvh.frameCount - 1, unit: .cmu)
  }
  return 0
}

// libFuzzer runs the driver from our main (SwiftPM links main to this file's top-level code).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzBVH))
