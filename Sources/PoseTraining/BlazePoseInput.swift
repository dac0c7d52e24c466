// PoseTraining: training 2D inputs that follow the BlazePose → H36M-17 joint definitions of PoseCore.

import PoseCore

/// Which joint definitions the lifter's 2D input follows.
public enum InputJointDefinition: String, Codable, Sendable, Equatable, CaseIterable {
  /// The dataset's own H36M-17 joints, projected.
  case dataset
  /// The joints as `BlazePoseToH36M` builds them from BlazePose landmarks at run time
  /// (see `BlazePoseInput`).
  case blazePose = "blazepose"
}

/// Makes the 2D input of a mocap pose look like BlazePose landmarks mapped by `BlazePoseToH36M`.
///
/// At run time the lifter sees BlazePose points mapped to H36M-17: pelvis = mid-hips, thorax =
/// mid-shoulders, spine = midpoint of those two, neck/nose = the nose, head top extrapolated from the ears
/// and shoulders. Mocap rigs define thorax, spine, neck and head differently (e.g. thorax at the base of
/// the neck, neck/nose at the skull base), so a lifter trained on projected mocap joints would see
/// systematically different inputs. `imagePoints` rebuilds those four joints the BlazePose way:
///
/// - hips, knees, ankles, shoulders, elbows, wrists: the mocap joints, projected (pelvis is already
///   the mid-hips in both CMU maps);
/// - thorax: midpoint of the projected shoulders; spine: midpoint of projected pelvis and that thorax
///   (both in 2D, as `BlazePoseToH36M.map` does on image landmarks);
/// - nose and ears are synthesised in 3D from the H36M head (there is no face in the mocap): with u the
///   head's up axis (neck/nose → head top), l the person's left (left − right shoulder, made orthogonal to
///   u) and f = l × u the facing direction, and k = ‖head top − neck/nose‖ / 0.20 m (clamped to
///   [0.5, 2]; 1 for the cmu-iclone rig, whose head top is 20 cm above its `CC_Base_Head` joint at the
///   skull base):
///
///       nose      = neck/nose + k · (0.05 u + 0.11 f)      (nose tip: ≈ 5 cm up, 11 cm in front)
///       ear L / R = neck/nose + k · (0.07 u ± 0.075 l)     (ear canals: ≈ 7 cm up, 15 cm apart)
///
///   The face turns with the shoulders, not on its own (head yaw relative to the trunk is lost; the
///   mocap maps keep no head orientation in the 17 joints).
/// - head top: `BlazePoseToH36M.headTop` on the projected ears, shoulders and hips — exactly the run-time
///   formula.
///
/// The 3D targets keep the dataset's joints (so validation numbers stay comparable to other runs).
public enum BlazePoseInput {
  /// Synthetic nose and ears (metres, world frame) of an H36M-17 pose (see the type's documentation).
  public static func face(_ pose: [Vec3]) -> (nose: Vec3, leftEar: Vec3, rightEar: Vec3) {
    let neck = pose[9]
    let top = pose[10]
    let up =
      (top - neck).normalized ?? (neck - pose[8]).normalized ?? Vec3(0, 1, 0)
    let across = pose[11] - pose[14]
    let left =
      (across - across.dot(up) * up).normalized ?? (Vec3(1, 0, 0).cross(up)).normalized ?? Vec3(1, 0, 0)
    let forward = left.cross(up)
    let k = min(max(top.distance(to: neck) / 0.20, 0.5), 2)
    let nose = neck + k * (0.05 * up + 0.11 * forward)
    let ears = neck + k * 0.07 * up
    return (nose, ears + k * 0.075 * left, ears - k * 0.075 * left)
  }

  /// The 17 image points as `BlazePoseToH36M` would build them, given a projection to pixels.
  public static func imagePoints(_ pose: [Vec3], project: (Vec3) -> Vec2) -> [Vec2] {
    precondition(pose.count == H36M17.count, "imagePoints: need 17 joints")
    var image = pose.map(project)
    let face = face(pose)
    let thorax = image[11].midpoint(image[14])
    image[8] = thorax
    image[7] = image[0].midpoint(thorax)
    image[9] = project(face.nose)
    image[10] = BlazePoseToH36M.headTop(
      leftEar: project(face.leftEar), rightEar: project(face.rightEar), leftShoulder: image[11],
      rightShoulder: image[14], leftHip: image[4], rightHip: image[1])
    return image
  }
}
