// PoseCoreTests: BlazePose-33 → H36M-17 mapping (3D, 2D, visibilities, head-top estimate).

import PoseCore
import PoseScopeTestSupport
import Testing

@Test func mapsTPoseToExpectedH36MJoints() throws {
  let blaze = blazeTPose()
  let h = try BlazePoseToH36M.map(blaze)
  #expect(h.count == 17)
  // Expected values worked out by hand from blazeTPose().
  let expected: [Vec3] = [
    Vec3(0, 0, 0),  // pelvis = mid-hips
    Vec3(-0.10, 0, 0), Vec3(-0.10, 0.42, 0), Vec3(-0.10, 0.84, 0),  // right leg
    Vec3(0.10, 0, 0), Vec3(0.10, 0.42, 0), Vec3(0.10, 0.84, 0),  // left leg
    Vec3(0, -0.225, 0),  // spine = half way between pelvis and thorax
    Vec3(0, -0.45, 0),  // thorax = mid-shoulders
    Vec3(0, -0.60, -0.10),  // neck_nose = nose
    // head top: ear centre (0,-0.62,0); neck length 0.17, ear distance 0.14;
    // length = max(0.9*0.14, 0.65*0.17) = 0.126 straight up (−y).
    Vec3(0, -0.746, 0),
    Vec3(0.18, -0.45, 0), Vec3(0.46, -0.45, 0), Vec3(0.72, -0.45, 0),  // left arm
    Vec3(-0.18, -0.45, 0), Vec3(-0.46, -0.45, 0), Vec3(-0.72, -0.45, 0),  // right arm
  ]
  for j in 0..<17 {
    #expect(h[j].distance(to: expected[j]) < 1e-12, "joint \(H36M17.names[j]): \(h[j])")
  }
  // Head top above the eyes (y down).
  #expect(h[H36M17.headTop.rawValue].y < blaze[BlazePose33.leftEye.rawValue].y)
  #expect(h[H36M17.headTop.rawValue].y < blaze[BlazePose33.rightEye.rawValue].y)
}

@Test func mappingIn2DImageCoordinates() throws {
  // Orthographic image of the T-pose: 500 px per metre, mid-hips at pixel (400, 500), y down.
  let camera = OrthographicCamera(scale: 500, principalPoint: Vec2(400, 500))
  let blaze3 = blazeTPose()
  let blaze2 = blaze3.map(camera.project)
  let h2 = try BlazePoseToH36M.map(blaze2)
  let h3 = try BlazePoseToH36M.map(blaze3)
  // Every point entering the head-top formula has z = 0, so mapping commutes with the projection.
  for j in 0..<17 {
    #expect(h2[j].distance(to: camera.project(h3[j])) < 1e-9)
  }
  #expect(h2[10].distance(to: Vec2(400, 500 - 0.746 * 500)) < 1e-9)
  #expect(h2[10].y < blaze2[2].y && h2[10].y < blaze2[5].y)
  // Float points work too.
  let f = try BlazePoseToH36M.map(blaze2.map { SIMD2<Float>(Float($0.x), Float($0.y)) })
  #expect(abs(Double(f[10].y) - h2[10].y) < 1e-3)
}

@Test func headTopInSideViewUsesNeckLength() throws {
  // Seen from the side the ears overlap in the image: the neck-based length takes over.
  var blaze = blazeTPose().map { Vec2($0.z, $0.y) * 100 }
  blaze[7] = Vec2(0, -62)
  blaze[8] = Vec2(0.5, -62)
  let h = try BlazePoseToH36M.map(blaze)
  // centre (0.25, -62), shoulders (0, -45): neck (0.25, -17), |neck| = 17.0018…
  let neck = Vec2(0.25, -17)
  let expected = Vec2(0.25, -62) + neck / neck.norm * (0.65 * neck.norm)
  #expect(h[10].distance(to: expected) < 1e-9)
  #expect(h[10].y < -70)
}

@Test func mappingIsRotationEquivariant() throws {
  var rng = SeededRandom(seed: 7)
  let blaze = blazeTPose()
  let h = try BlazePoseToH36M.map(blaze)
  for _ in 0..<20 {
    let r = randomRotation(&rng)
    let centre = randomVec3(&rng)
    let mappedRotated = try BlazePoseToH36M.map(rotate(blaze, by: r, about: centre))
    #expect(largestDistance(mappedRotated, rotate(h, by: r, about: centre)) < 1e-12)
  }
  // A person lying down (rotated 90° about z): the head top follows the body axis.
  let lying = try BlazePoseToH36M.map(rotate(blaze, by: .rotationZ(.pi / 2)))
  #expect(lying[10].distance(to: Vec3(0.746, 0, 0)) < 1e-12)
}

@Test func headTopFallbacks() {
  // Ear centre on the shoulder centre: trunk direction is used.
  let top = BlazePoseToH36M.headTop(
    leftEar: Vec3(0.07, -0.5, 0), rightEar: Vec3(-0.07, -0.5, 0), leftShoulder: Vec3(0.2, -0.5, 0),
    rightShoulder: Vec3(-0.2, -0.5, 0), leftHip: Vec3(0.1, 0, 0), rightHip: Vec3(-0.1, 0, 0))
  #expect(top.distance(to: Vec3(0, -0.5 - 0.126, 0)) < 1e-12)
  // Everything at one point: default up (−y) and zero length.
  let p = Vec2(3, 4)
  let degenerate = BlazePoseToH36M.headTop(
    leftEar: p, rightEar: p, leftShoulder: p, rightShoulder: p, leftHip: p, rightHip: p)
  #expect(degenerate == p)
  // NaN input never traps.
  let nan = Vec3(.nan, 0, 0)
  _ = BlazePoseToH36M.headTop(
    leftEar: nan, rightEar: nan, leftShoulder: nan, rightShoulder: nan, leftHip: nan, rightHip: nan)
}

@Test func visibilityIsMinimumOfSources() throws {
  let vis = (0..<33).map { 1 - Double($0) / 100 }  // landmark i has visibility 1 − i/100
  let h = try BlazePoseToH36M.mapVisibility(vis)
  #expect(h.count == 17)
  #expect(h[0] == vis[24])  // pelvis: min(23, 24)
  #expect(h[1] == vis[24] && h[2] == vis[26] && h[3] == vis[28])
  #expect(h[4] == vis[23] && h[5] == vis[25] && h[6] == vis[27])
  #expect(h[7] == vis[24])  // spine: min(23, 24, 11, 12)
  #expect(h[8] == vis[12])  // thorax
  #expect(h[9] == vis[0])  // nose
  #expect(h[10] == vis[12])  // head top: min(7, 8, 11, 12)
  #expect(h[13] == vis[15] && h[16] == vis[16])
  var low = [Float](repeating: 0.9, count: 33)
  low[8] = 0.2
  #expect(try BlazePoseToH36M.mapVisibility(low)[10] == 0.2)
}

@Test func mappingRejectsWrongCounts() {
  #expect(throws: PoseCoreError.countMismatch(what: "BlazePose landmarks", expected: 33, actual: 17)) {
    try BlazePoseToH36M.map([Vec3](repeating: .zero, count: 17))
  }
  #expect(throws: PoseCoreError.self) { try BlazePoseToH36M.mapVisibility([Double]()) }
}
