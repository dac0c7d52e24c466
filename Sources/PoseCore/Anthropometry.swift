// PoseCore: anthropometric reference bone lengths of the H36M-17 skeleton as fractions of body height.

/// Reference segment proportions for plausibility checks of estimated skeletons.
///
/// Source: D. A. Winter, *Biomechanics and Motor Control of Human Movement*, 4th ed. (Wiley, 2009),
/// Fig. 4.1, "segment lengths expressed as a fraction of body height H", after Drillis & Contini (1966).
/// Values used: shoulder height 0.818H, hip (joint) height 0.530H, chin 0.870H, eye 0.936H,
/// shoulder width 0.259H, hip width 0.191H, upper arm 0.186H, forearm 0.146H, thigh 0.245H,
/// shank 0.246H.
public enum Anthropometry {
  /// Length of each H36M-17 bone (in `H36M17.bones` order) as a fraction of body height.
  ///
  /// Derived entries:
  /// - pelvis (pelvis→hip): half the hip width, 0.191H / 2.
  /// - spine_lower, spine_upper: half of hip-to-shoulder height each, (0.818 − 0.530)H / 2, matching the
  ///   spine joint at the midpoint of pelvis and thorax.
  /// - neck (thorax→nose): nose height ≈ 0.910H (between chin 0.870H and eye 0.936H) − shoulder 0.818H.
  /// - head (nose→head top): 1.000H − 0.910H.
  /// - clavicle (thorax→shoulder): half the shoulder width, 0.259H / 2.
  /// These are vertical or transverse distances and ignore the forward offset of the nose, so the
  /// neck and head entries are rough (±20 %); limb entries are the tabulated values.
  public static let h36mBoneFractions: [Double] = [
    0.191 / 2,  // right_pelvis
    0.245,  // right_upper_leg (thigh)
    0.246,  // right_lower_leg (shank)
    0.191 / 2,  // left_pelvis
    0.245,  // left_upper_leg
    0.246,  // left_lower_leg
    (0.818 - 0.530) / 2,  // spine_lower
    (0.818 - 0.530) / 2,  // spine_upper
    0.910 - 0.818,  // neck
    1.000 - 0.910,  // head
    0.259 / 2,  // left_clavicle
    0.186,  // left_upper_arm
    0.146,  // left_forearm
    0.259 / 2,  // right_clavicle
    0.186,  // right_upper_arm
    0.146,  // right_forearm
  ]

  /// Reference H36M-17 bone lengths (in `H36M17.bones` order) for a person of the given height, in the
  /// unit of `height` (e.g. metres).
  public static func referenceBoneLengths(height: Double) -> [Double] {
    h36mBoneFractions.map { $0 * height }
  }
}
