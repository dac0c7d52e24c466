// PoseCoreTests: this target's helpers: random matrices drawn from the shared seeded generator, and a
// hand-made BlazePose T-pose.

import PoseCore
import PoseScopeTestSupport

func randomMat3(_ rng: inout SeededRandom) -> Mat3 {
  Mat3(rows: randomVec3(&rng), randomVec3(&rng), randomVec3(&rng))
}

/// A T-pose in BlazePose world convention (metres, y down, origin at mid-hips), person facing −z with
/// their left side at +x. Head-related points all have z = 0 except the face.
func blazeTPose() -> [Vec3] {
  var p = [Vec3](repeating: .zero, count: 33)
  p[0] = Vec3(0, -0.60, -0.10)  // nose
  p[1] = Vec3(0.015, -0.64, -0.08)
  p[2] = Vec3(0.03, -0.64, -0.08)
  p[3] = Vec3(0.045, -0.64, -0.08)
  p[4] = Vec3(-0.015, -0.64, -0.08)
  p[5] = Vec3(-0.03, -0.64, -0.08)
  p[6] = Vec3(-0.045, -0.64, -0.08)
  p[7] = Vec3(0.07, -0.62, 0)  // left ear
  p[8] = Vec3(-0.07, -0.62, 0)  // right ear
  p[9] = Vec3(0.02, -0.57, -0.09)
  p[10] = Vec3(-0.02, -0.57, -0.09)
  for (side, sign) in [(0, 1.0), (1, -1.0)] {
    p[11 + side] = Vec3(sign * 0.18, -0.45, 0)  // shoulders
    p[13 + side] = Vec3(sign * 0.46, -0.45, 0)  // elbows
    p[15 + side] = Vec3(sign * 0.72, -0.45, 0)  // wrists
    p[17 + side] = Vec3(sign * 0.80, -0.44, 0.01)  // pinky
    p[19 + side] = Vec3(sign * 0.81, -0.45, -0.01)  // index
    p[21 + side] = Vec3(sign * 0.76, -0.47, -0.02)  // thumb
    p[23 + side] = Vec3(sign * 0.10, 0, 0)  // hips
    p[25 + side] = Vec3(sign * 0.10, 0.42, 0)  // knees
    p[27 + side] = Vec3(sign * 0.10, 0.84, 0)  // ankles
    p[29 + side] = Vec3(sign * 0.10, 0.88, 0.05)  // heels
    p[31 + side] = Vec3(sign * 0.10, 0.90, -0.15)  // foot index
  }
  return p
}
