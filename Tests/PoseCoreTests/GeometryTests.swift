// PoseCoreTests: rotations, projections, the 3×3 Jacobi SVD and Procrustes alignment.

import Foundation
import PoseCore
import PoseScopeTestSupport
import Testing

@Test func rotationsAreOrthonormalWithUnitDeterminant() {
  var rng = SeededRandom(seed: 1)
  for _ in 0..<200 {
    let r = randomRotation(&rng)
    #expect((r.transposed * r).maxAbsDifference(.identity) < 1e-12)
    #expect(abs(r.determinant - 1) < 1e-12)
    #expect(r.isRotation())
    let ypr = Mat3.rotation(
      yaw: Double.random(in: -4...4, using: &rng), pitch: Double.random(in: -4...4, using: &rng),
      roll: Double.random(in: -4...4, using: &rng))
    #expect(ypr.isRotation())
  }
  #expect(!Mat3(diagonal: Vec3(1, 1, -1)).isRotation())
  #expect(!(2 * Mat3.identity).isRotation())
}

@Test func rotationKnownValuesAndComposition() {
  let rz = Mat3.rotationZ(.pi / 2)
  #expect((rz * Vec3(1, 0, 0)).distance(to: Vec3(0, 1, 0)) < 1e-15)
  #expect((Mat3.rotationX(.pi / 2) * Vec3(0, 1, 0)).distance(to: Vec3(0, 0, 1)) < 1e-15)
  #expect((Mat3.rotationY(.pi / 2) * Vec3(0, 0, 1)).distance(to: Vec3(1, 0, 0)) < 1e-15)
  // 120° about (1,1,1) cycles the axes.
  let cyc = Mat3.rotation(axis: Vec3(1, 1, 1), angle: 2 * .pi / 3)
  #expect((cyc * Vec3(1, 0, 0)).distance(to: Vec3(0, 1, 0)) < 1e-15)
  #expect(Mat3.rotation(axis: .zero, angle: 1) == .identity)

  var rng = SeededRandom(seed: 2)
  for _ in 0..<100 {
    let axis = randomVec3(&rng)
    let a = Double.random(in: -3...3, using: &rng)
    let b = Double.random(in: -3...3, using: &rng)
    let ra = Mat3.rotation(axis: axis, angle: a)
    let rb = Mat3.rotation(axis: axis, angle: b)
    #expect((ra * rb).maxAbsDifference(.rotation(axis: axis, angle: a + b)) < 1e-12)
    #expect(ra.transposed.maxAbsDifference(.rotation(axis: axis, angle: -a)) < 1e-12)
    // The axis is left fixed.
    #expect((ra * axis).distance(to: axis) < 1e-12)
    // Composition is applying one after the other.
    let r1 = randomRotation(&rng)
    let r2 = randomRotation(&rng)
    let p = randomVec3(&rng)
    #expect(((r1 * r2) * p).distance(to: r1 * (r2 * p)) < 1e-12)
    #expect((r1 * r2).isRotation())
    // Axis-angle round trip (angles within (0, π)).
    let angle = Double.random(in: 0.01...(Double.pi - 0.01), using: &rng)
    let r = Mat3.rotation(axis: axis, angle: angle)
    let (k, theta) = r.axisAngle
    #expect(abs(theta - angle) < 1e-9)
    #expect(Mat3.rotation(axis: k, angle: theta).maxAbsDifference(r) < 1e-9)
  }
  let yaw = 0.3
  let pitch = -0.7
  let roll = 1.1
  let expected = Mat3.rotationY(yaw) * Mat3.rotationX(pitch) * Mat3.rotationZ(roll)
  #expect(Mat3.rotation(yaw: yaw, pitch: pitch, roll: roll).maxAbsDifference(expected) < 1e-15)
  // Half turn: axis recovered too.
  let half = Mat3.rotation(axis: Vec3(0, 1, 1), angle: .pi)
  let (k, theta) = half.axisAngle
  #expect(abs(theta - .pi) < 1e-9)
  #expect(Mat3.rotation(axis: k, angle: theta).maxAbsDifference(half) < 1e-9)
  #expect(Mat3.identity.axisAngle.angle == 0)
}

@Test func rotateAboutCentre() {
  let centre = Vec3(1, 2, 3)
  let points = [centre, Vec3(2, 2, 3), Vec3(1, 5, 3)]
  let rotated = rotate(points, by: .rotationZ(.pi / 2), about: centre)
  #expect(rotated[0] == centre)
  #expect(rotated[1].distance(to: Vec3(1, 3, 3)) < 1e-15)
  #expect(rotated[2].distance(to: Vec3(-2, 2, 3)) < 1e-15)
}

@Test func matrixBasics() {
  let m = Mat3(rows: Vec3(1, 2, 3), Vec3(4, 5, 6), Vec3(7, 8, 10))
  #expect(m.determinant == -3)
  #expect(m.trace == 16)
  #expect(m.transposed.column(0) == Vec3(1, 2, 3))
  #expect(m[1, 2] == 6)
  #expect(Mat3(columns: Vec3(1, 4, 7), Vec3(2, 5, 8), Vec3(3, 6, 10)) == m)
  #expect(m * Vec3(1, 0, -1) == Vec3(-2, -2, -3))
  #expect(m * Mat3.identity == m)
  let p = m * m
  #expect(p.r0 == Vec3(30, 36, 45) && p.r2 == Vec3(109, 134, 169))
  var n = m
  n[2, 0] = -1
  #expect(n.r2 == Vec3(-1, 8, 10))
}

@Test func pinholeAndOrthographicProjection() throws {
  let cam = PinholeCamera(focal: Vec2(1000, 900), principalPoint: Vec2(640, 360))
  #expect(cam.project(Vec3(0.2, -0.1, 2)) == Vec2(740, 315))
  #expect(cam.project(Vec3(0, 0, 0)) == nil)
  #expect(cam.project(Vec3(0, 0, -1)) == nil)
  #expect(cam.project(Vec3(.nan, 0, 1)) == nil)
  let back = cam.unproject(Vec2(740, 315), depth: 2)
  #expect(back.distance(to: Vec3(0.2, -0.1, 2)) < 1e-12)
  let fov = PinholeCamera(width: 200, height: 100, horizontalFOV: .pi / 2)
  #expect(abs(fov.focal.x - 100) < 1e-12 && fov.principalPoint == Vec2(100, 50))
  // A point on the edge of a 90° field of view lands on the image edge.
  let edge = try #require(fov.project(Vec3(1, 0, 1)))
  #expect(abs(edge.x - 200) < 1e-12)
  let ortho = OrthographicCamera(scale: 100, principalPoint: Vec2(50, 60))
  #expect(ortho.project(Vec3(0.5, -0.2, 9)) == Vec2(100, 40))
}

private func checkSVD(_ m: Mat3, tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation)
{
  let svd = SVD3(m)
  let s = svd.singularValues
  #expect(
    svd.reconstructed.maxAbsDifference(m) < tolerance, "reconstruction of \(m)",
    sourceLocation: sourceLocation)
  #expect(
    (svd.u.transposed * svd.u).maxAbsDifference(.identity) < 1e-12, "U orthogonal",
    sourceLocation: sourceLocation)
  #expect(
    (svd.v.transposed * svd.v).maxAbsDifference(.identity) < 1e-12, "V orthogonal",
    sourceLocation: sourceLocation)
  #expect(s.x >= s.y && s.y >= s.z && s.z >= 0, "sorted non-negative \(s)", sourceLocation: sourceLocation)
  // |det M| = product of singular values.
  #expect(
    abs(abs(m.determinant) - s.x * s.y * s.z) < 1e-9 * max(1, s.x * s.x * s.x),
    sourceLocation: sourceLocation)
}

@Test func svdReconstructsRandomMatrices() {
  var rng = SeededRandom(seed: 3)
  for _ in 0..<2000 {
    checkSVD(randomMat3(&rng))
  }
  for _ in 0..<200 {
    checkSVD(1000 * randomMat3(&rng), tolerance: 1e-9 * 1000)
    checkSVD(1e-6 * randomMat3(&rng), tolerance: 1e-15)
  }
}

@Test func svdRecoversKnownSingularValues() {
  var rng = SeededRandom(seed: 4)
  for _ in 0..<200 {
    let u = randomRotation(&rng)
    let v = randomRotation(&rng)
    let m = u * Mat3(diagonal: Vec3(2, 5, 0.5)) * v.transposed
    let svd = SVD3(m)
    #expect((svd.singularValues - Vec3(5, 2, 0.5)).norm < 1e-12)
    checkSVD(m)
  }
}

@Test func svdRankDeficientAndReflections() {
  var rng = SeededRandom(seed: 5)
  for _ in 0..<300 {
    // Rank 2: third column a combination of the first two.
    let a = randomVec3(&rng)
    let b = randomVec3(&rng)
    let rank2 = Mat3(columns: a, b, 0.3 * a - 1.7 * b)
    checkSVD(rank2)
    #expect(SVD3(rank2).singularValues.z < 1e-12)
    // Rank 1: outer product.
    let rank1 = Mat3.outer(randomVec3(&rng), randomVec3(&rng))
    checkSVD(rank1)
    #expect(SVD3(rank1).singularValues.y < 1e-12)
    // Reflections (det −1) and rotations (all singular values 1).
    let reflection = randomRotation(&rng) * Mat3(diagonal: Vec3(1, 1, -1))
    checkSVD(reflection)
    #expect((SVD3(reflection).singularValues - Vec3(1, 1, 1)).norm < 1e-12)
    checkSVD(randomRotation(&rng))
  }
  checkSVD(.zero)
  #expect(SVD3(.zero).singularValues == .zero)
  checkSVD(.identity)
  checkSVD(Mat3(diagonal: Vec3(0, 3, 0)))
  checkSVD(Mat3(diagonal: Vec3(1e-300, 1, 1e300)), tolerance: 1e288)
  #expect(SVD3(Mat3(diagonal: Vec3(1e-300, 1, 1e300))).singularValues.x == 1e300)
  // Subnormal entries (≈ 3.5e-310): no underflow to a zero matrix.
  let subnormal = Double.leastNormalMagnitude / 64
  let tinyTolerance = Double.leastNonzeroMagnitude * 4096
  checkSVD(subnormal * Mat3(rows: Vec3(1, 2, 3), Vec3(4, 5, 6), Vec3(7, 8, 10)), tolerance: tinyTolerance)
  #expect(SVD3(subnormal * Mat3.identity).singularValues.z > 0)
  checkSVD(Mat3(rows: Vec3(1, 1, 1), Vec3(1, 1, 1), Vec3(1, 1, 1)))
  // Non-finite input terminates and reports NaN.
  let bad = SVD3(Mat3(rows: Vec3(.nan, 1, 2), Vec3(3, .infinity, 1), Vec3(0, 0, 1)))
  #expect(bad.singularValues.x.isNaN)
}

@Test func procrustesRecoversKnownSimilarity() throws {
  var rng = SeededRandom(seed: 6)
  for _ in 0..<100 {
    let source = (0..<17).map { _ in randomVec3(&rng) }
    let rotation = randomRotation(&rng)
    let scale = Double.random(in: 0.1...10, using: &rng)
    let translation = randomVec3(&rng, range: -5...5)
    let truth = SimilarityTransform(rotation: rotation, scale: scale, translation: translation)
    let target = truth.apply(source)
    let found = try procrustes(source: source, target: target)
    #expect(found.rotation.maxAbsDifference(rotation) < 1e-9)
    #expect(abs(found.scale - scale) < 1e-9 * scale)
    #expect(found.translation.distance(to: translation) < 1e-9)
    #expect(largestDistance(found.apply(source), target) < 1e-9)
    #expect(try PoseMetrics.paMPJPE(source, target) < 1e-9)
    // Without scale: rotation still recovered when the true scale is 1.
    let rigid = SimilarityTransform(rotation: rotation, scale: 1, translation: translation).apply(source)
    let rigidFound = try procrustes(source: source, target: rigid, allowScale: false)
    #expect(rigidFound.scale == 1)
    #expect(rigidFound.rotation.maxAbsDifference(rotation) < 1e-9)
  }
}

@Test func procrustesNeverReflects() throws {
  var rng = SeededRandom(seed: 8)
  let source = (0..<10).map { _ in randomVec3(&rng) }
  let mirrored = source.map { Vec3(-$0.x, $0.y, $0.z) }
  let t = try procrustes(source: source, target: mirrored)
  #expect(t.rotation.isRotation(tolerance: 1e-9))
  #expect(t.scale > 0)
  // The best proper rotation cannot reproduce a mirror image.
  #expect(try PoseMetrics.mpjpe(t.apply(source), mirrored) > 1e-3)
  // Planar (rank-2 covariance) points are still aligned exactly.
  let planar = (0..<8).map { _ in
    Vec3(Double.random(in: -1...1, using: &rng), Double.random(in: -1...1, using: &rng), 0)
  }
  let r = randomRotation(&rng)
  let target = planar.map { r * $0 }
  let tp = try procrustes(source: planar, target: target)
  #expect(tp.rotation.isRotation(tolerance: 1e-9))
  #expect(largestDistance(tp.apply(planar), target) < 1e-9)
}

@Test func procrustesErrors() {
  #expect(throws: PoseCoreError.self) { try procrustes(source: [.zero], target: []) }
  #expect(throws: PoseCoreError.empty(what: "Procrustes points")) { try procrustes(source: [], target: []) }
  #expect(throws: PoseCoreError.self) {
    try procrustes(source: [Vec3(1, 1, 1), Vec3(1, 1, 1)], target: [.zero, Vec3(1, 0, 0)])
  }
  #expect(throws: PoseCoreError.self) {
    try procrustes(source: [Vec3(.nan, 1, 1), Vec3(1, 1, 1)], target: [.zero, Vec3(1, 0, 0)])
  }
}
