// PoseCore: the documented BlazePose-33 → H36M-17 joint mapping for 2D and 3D points, with visibilities.

/// Converts BlazePose-33 landmarks to the H36M-17 skeleton.
///
/// Works for any SIMD point type with floating-point scalars: world landmarks (`Vec3`, metres, y down,
/// origin at the hip centre), image landmarks (`Vec2`, pixels, y down) or normalised coordinates.
///
/// | H36M joint | from BlazePose |
/// |---|---|
/// | 0 pelvis | midpoint of hips (23, 24) |
/// | 1–3 right hip/knee/ankle | 24, 26, 28 |
/// | 4–6 left hip/knee/ankle | 23, 25, 27 |
/// | 7 spine | midpoint of pelvis and thorax (H36M's spine marker sits about half way up the trunk) |
/// | 8 thorax | midpoint of shoulders (11, 12) |
/// | 9 neck_nose | nose (0), as in the usual COCO→H36M conversions (e.g. MotionBERT) |
/// | 10 head_top | see `headTop(leftEar:rightEar:leftShoulder:rightShoulder:leftHip:rightHip:)` |
/// | 11–13 left shoulder/elbow/wrist | 11, 13, 15 |
/// | 14–16 right shoulder/elbow/wrist | 12, 14, 16 |
public enum BlazePoseToH36M {
  /// Head-top distance above the ear centre as a multiple of the ear-to-ear distance.
  ///
  /// Adult tragion-to-vertex height (≈ 0.125 m) is about 0.9 × bitragion breadth (≈ 0.14 m); BlazePose
  /// world landmarks of an adult give an ear distance of 0.136–0.152 m.
  public static let headTopEarFactor = 0.9

  /// Head-top distance above the ear centre as a multiple of the shoulder-centre-to-ear-centre distance.
  ///
  /// BlazePose world landmarks of an adult give ≈ 0.19 m from mid-shoulders to mid-ears;
  /// 0.65 × 0.19 ≈ 0.125 m, consistent with `headTopEarFactor`.
  public static let headTopNeckFactor = 0.65

  /// BlazePose landmark indices each H36M joint is computed from (visibility is their minimum).
  public static let sources: [[Int]] = [
    [23, 24],  // pelvis
    [24], [26], [28],  // right hip, knee, ankle
    [23], [25], [27],  // left hip, knee, ankle
    [23, 24, 11, 12],  // spine
    [11, 12],  // thorax
    [0],  // neck_nose
    [7, 8, 11, 12],  // head_top (hips only enter a degenerate fallback)
    [11], [13], [15],  // left shoulder, elbow, wrist
    [12], [14], [16],  // right shoulder, elbow, wrist
  ]

  /// Maps 33 BlazePose landmarks to 17 H36M joints (see the table in the type's documentation).
  ///
  /// - Throws: `PoseCoreError.countMismatch` unless exactly 33 landmarks are given.
  public static func map<P: SIMD>(_ landmarks: [P]) throws -> [P] where P.Scalar: BinaryFloatingPoint {
    guard landmarks.count == BlazePose33.count else {
      throw PoseCoreError.countMismatch(
        what: "BlazePose landmarks", expected: BlazePose33.count, actual: landmarks.count)
    }
    let b = landmarks
    let pelvis = b[23].midpoint(b[24])
    let thorax = b[11].midpoint(b[12])
    let top = headTop(
      leftEar: b[7], rightEar: b[8], leftShoulder: b[11], rightShoulder: b[12], leftHip: b[23],
      rightHip: b[24])
    return [
      pelvis, b[24], b[26], b[28], b[23], b[25], b[27], pelvis.midpoint(thorax), thorax, b[0], top,
      b[11], b[13], b[15], b[12], b[14], b[16],
    ]
  }

  /// Estimates the top of the head (H36M joint 10), which BlazePose does not predict.
  ///
  /// With `c` = midpoint of the ears, `s` = midpoint of the shoulders, `e` = ear-to-ear distance:
  ///
  ///     up       = (c − s) / |c − s|
  ///     length   = max(0.9 · e, 0.65 · |c − s|)
  ///     head_top = c + length · up
  ///
  /// The direction follows the neck, so the point stays above the eyes for an upright person in any
  /// y-down frame (image pixels or BlazePose world metres: `c − s` then has negative y) and tilts with the
  /// body when the person leans or lies down. Both lengths can only shrink under projection (side view:
  /// the ears overlap; head bent towards the camera: the neck shortens), so the larger estimate is used;
  /// for an adult in world coordinates both give ≈ 0.125 m. Fallbacks when `c == s`: the trunk direction
  /// (mid-hips → mid-shoulders), then −y.
  public static func headTop<P: SIMD>(
    leftEar: P, rightEar: P, leftShoulder: P, rightShoulder: P, leftHip: P, rightHip: P
  ) -> P where P.Scalar: BinaryFloatingPoint {
    let centre = leftEar.midpoint(rightEar)
    let shoulders = leftShoulder.midpoint(rightShoulder)
    let neck = centre - shoulders
    let earDistance = leftEar.distance(to: rightEar)
    let length = max(
      P.Scalar(headTopEarFactor) * earDistance, P.Scalar(headTopNeckFactor) * neck.norm)
    var up: P
    if let direction = neck.normalized {
      up = direction
    } else if let trunk = (shoulders - leftHip.midpoint(rightHip)).normalized {
      up = trunk
    } else {
      up = P()
      up[1] = -1
    }
    guard length.isFinite else { return centre }
    return centre + up * length
  }

  /// Maps 33 BlazePose visibilities (or presences) to 17 H36M values: the minimum over `sources`.
  ///
  /// - Throws: `PoseCoreError.countMismatch` unless exactly 33 values are given.
  public static func mapVisibility<T: BinaryFloatingPoint>(_ visibility: [T]) throws -> [T] {
    guard visibility.count == BlazePose33.count else {
      throw PoseCoreError.countMismatch(
        what: "BlazePose visibilities", expected: BlazePose33.count, actual: visibility.count)
    }
    return sources.map { indices in
      indices.map { visibility[$0] }.min() ?? 0
    }
  }
}
