// Golden tests of the C kernels (packed GEMM, depthwise convolution) against the engine's Swift/OpenBLAS
// reference paths, on seeded random data of odd sizes, for every instruction set this CPU supports.
import CKernels
import Foundation
import ModelFiles
import PoseScopeTestSupport
import Testing

@testable import NeuralEngine

/// The instruction sets this machine can run (the portable one always).
private let runnableSets = KernelInstructionSet.allCases.filter { $0.effective == $0 }

/// |a − b| ≤ 1e-4 · max(1, |b|) everywhere (NaN never passes); returns the worst scaled error.
private func worstError(_ a: [Float], _ b: [Float]) -> Float {
  guard a.count == b.count else { return .infinity }
  var worst: Float = 0
  for (x, y) in zip(a, b) {
    let e = abs(x - y) / max(1, abs(y))
    if !(e <= worst) { worst = e.isNaN ? .infinity : e }
  }
  return worst
}

private let activations: [FusedActivation] = [.none, .relu, .relu6, .reluN1To1]

@Suite struct KernelTests {
  @Test func dispatchNeverExceedsTheCPU() {
    let s = KernelInstructionSet.supported
    for isa in KernelInstructionSet.allCases {
      #expect(isa.effective.rawValue <= s.rawValue)
      #expect(isa.effective.rawValue <= isa.rawValue)
    }
    #expect(KernelInstructionSet.default.rawValue <= s.rawValue)
    #expect(KernelInstructionSet.portable.effective == .portable)
  }

  @Test(
    "packed GEMM matches OpenBLAS sgemm + bias + activation",
    arguments: [
      (1, 1, 1), (1, 17, 3), (2, 16, 16), (5, 33, 7), (7, 15, 27), (8, 32, 40), (9, 47, 1), (13, 48, 19),
      (17, 100, 24), (49, 6, 288), (50, 195, 31), (96, 64, 16),
    ])
  func gemm(_ shape: (Int, Int, Int)) throws {
    let (m, n, k) = shape
    var rng = SeededRandom(seed: UInt64(m * 1_000_003 + n * 1009 + k))
    let lda = k + 3, ldc = n + 5  // strided rows: columns beyond n must stay untouched
    let a = rng.signedFloats(m * lda), w = rng.signedFloats(n * k), bias = rng.signedFloats(n)
    var packed = [Float](repeating: .nan, count: ck_gemm_packed_count(Int32(n), Int32(k)))
    ck_gemm_pack(Int32(n), Int32(k), w, bias, &packed)
    for (ai, act) in activations.enumerated() {
      let sentinel: Float = 1234.5
      var want = [Float](repeating: sentinel, count: m * ldc)
      Conv2DKernel.referenceGEMM(
        m: m, n: n, k: k, a, lda: lda, weights: w, bias: bias, &want, ldc: ldc, act: act)
      for isa in runnableSets {
        var got = [Float](repeating: sentinel, count: m * ldc)
        let (clamp, lo, hi) = act.clamp
        ck_gemm(Int32(isa.rawValue), Int32(m), Int32(n), Int32(k), a, lda, packed, &got, ldc, clamp, lo, hi)
        let e = worstError(got, want)
        #expect(e <= 1e-4, "m \(m) n \(n) k \(k) activation #\(ai) on \(isa): error \(e)")
        // The same product in two column ranges (as two threads split a GEMM with few rows).
        var split = [Float](repeating: sentinel, count: m * ldc)
        let cut = Int32(n / 32 * 16)
        for (c0, c1) in [(Int32(0), cut), (cut, Int32(n))] where c0 < c1 {
          ck_gemm_cols(
            Int32(isa.rawValue), Int32(m), Int32(n), Int32(k), a, lda, packed, &split, ldc, c0, c1, clamp, lo,
            hi)
        }
        #expect(split == got, "column ranges of m \(m) n \(n) k \(k) on \(isa)")
      }
    }
  }

  /// One depthwise case: input h×w×c, kernel kh×kw, strides, dilations, leading/trailing padding.
  struct DWCase: CustomStringConvertible, Sendable {
    var h: Int, w: Int, c: Int, kh: Int, kw: Int, sh: Int, sw: Int, dh = 1, dw = 1
    var pad: (top: Int, bottom: Int, left: Int, right: Int)
    var description: String {
      "\(h)×\(w)×\(c) k\(kh)×\(kw) s\(sh),\(sw) d\(dh),\(dw) pad \(pad)"
    }
  }

  static let dwCases: [DWCase] = {
    var cases: [DWCase] = []
    let channels = [1, 3, 8, 13, 16, 24, 40, 72]
    for (i, c) in channels.enumerated() {
      for (kh, kw) in [(3, 3), (5, 5), (1, 1), (2, 3)] {
        for s in 1...3 {
          let h = 6 + (i + s) % 5, w = 7 + (i * 3 + kh) % 6
          // SAME-like, VALID, asymmetric (a folded PAD of TF-style "same" for stride 2).
          for pad in [((kh - 1) / 2, kh / 2, (kw - 1) / 2, kw / 2), (0, 0, 0, 0), (1, 2, 0, 1)] {
            cases.append(DWCase(h: h, w: w, c: c, kh: kh, kw: kw, sh: s, sw: s, pad: pad))
          }
        }
      }
      cases.append(DWCase(h: 9, w: 11, c: c, kh: 3, kw: 3, sh: 1, sw: 2, dh: 2, dw: 2, pad: (2, 2, 2, 2)))
      cases.append(DWCase(h: 12, w: 10, c: c, kh: 5, kw: 5, sh: 2, sw: 1, dh: 1, dw: 2, pad: (0, 1, 4, 4)))
    }
    return cases
  }()

  @Test("depthwise kernel matches the Swift loop", arguments: dwCases)
  func depthwise(_ t: DWCase) throws {
    let oh = (t.h + t.pad.top + t.pad.bottom - ((t.kh - 1) * t.dh + 1)) / t.sh + 1
    let ow = (t.w + t.pad.left + t.pad.right - ((t.kw - 1) * t.dw + 1)) / t.sw + 1
    guard oh > 0, ow > 0 else { return }
    var rng = SeededRandom(seed: UInt64(t.h * 7919 + t.w * 104_729 + t.c * 31 + t.kh + t.sh * 5))
    let input = rng.signedFloats(t.h * t.w * t.c), weights = rng.signedFloats(t.kh * t.kw * t.c),
      bias = rng.signedFloats(t.c)
    var packed = [Float](repeating: .nan, count: ck_dw_packed_count(Int32(t.c), Int32(t.kh), Int32(t.kw)))
    ck_dw_pack(Int32(t.c), Int32(t.kh), Int32(t.kw), weights, bias, &packed)
    for act in activations {
      var want = [Float](repeating: .nan, count: oh * ow * t.c)
      DepthwiseConv2DKernel.reference(
        input, &want, weights: weights, bias: bias, h: t.h, w: t.w, cin: t.c, mult: 1, oh: oh, ow: ow,
        kh: t.kh, kw: t.kw, sh: t.sh, sw: t.sw, dh: t.dh, dw: t.dw, padTop: t.pad.top,
        padLeft: t.pad.left, act: act)
      let (clamp, lo, hi) = act.clamp
      var p = ck_conv_params(
        h: Int32(t.h), w: Int32(t.w), c: Int32(t.c), oh: Int32(oh), ow: Int32(ow), kh: Int32(t.kh),
        kw: Int32(t.kw), sh: Int32(t.sh), sw: Int32(t.sw), dh: Int32(t.dh), dw: Int32(t.dw),
        pad_top: Int32(t.pad.top), pad_left: Int32(t.pad.left), clamp: clamp, lo: lo, hi: hi)
      for isa in runnableSets {
        var got = [Float](repeating: .nan, count: oh * ow * t.c)
        // Two row ranges, as two threads would split them.
        let mid = Int32(oh / 2)
        ck_dwconv(Int32(isa.rawValue), &p, input, packed, &got, 0, mid)
        ck_dwconv(Int32(isa.rawValue), &p, input, packed, &got, mid, Int32(oh))
        let e = worstError(got, want)
        #expect(e <= 1e-4, "\(t) \(act) on \(isa): error \(e)")
      }
    }
  }

  static let convCases: [DWCase] = {
    var cases: [DWCase] = []
    for (i, c) in [1, 3, 5, 8, 17].enumerated() {
      for (kh, kw) in [(3, 3), (1, 1), (2, 2), (5, 3)] {
        for s in 1...2 {
          let h = 7 + (i + s) % 4, w = 6 + (i * 3 + kh) % 5
          for pad in [((kh - 1) / 2, kh / 2, (kw - 1) / 2, kw / 2), (0, 0, 0, 0), (1, 0, 2, 1)] {
            cases.append(DWCase(h: h, w: w, c: c, kh: kh, kw: kw, sh: s, sw: s, pad: pad))
          }
        }
      }
      cases.append(DWCase(h: 9, w: 11, c: c, kh: 3, kw: 3, sh: 1, sw: 2, dh: 2, dw: 2, pad: (2, 2, 2, 2)))
      cases.append(DWCase(h: 12, w: 10, c: c, kh: 3, kw: 3, sh: 2, sw: 1, dh: 2, dw: 1, pad: (0, 1, 1, 1)))
    }
    return cases
  }()

  /// Convolutions (`c` input channels, 1, 7, 16, 24 or 33 outputs): `ck_conv` reading the input in place
  /// (when it supports the geometry) and im2col + GEMM, against the Swift loop.
  @Test("convolution paths match the Swift loop", arguments: convCases)
  func convolution(_ t: DWCase) throws {
    let oh = (t.h + t.pad.top + t.pad.bottom - ((t.kh - 1) * t.dh + 1)) / t.sh + 1
    let ow = (t.w + t.pad.left + t.pad.right - ((t.kw - 1) * t.dw + 1)) / t.sw + 1
    guard oh > 0, ow > 0 else { return }
    let cout = [1, 7, 16, 24, 33][(t.h + t.w + t.kh) % 5]
    let k = t.kh * t.kw * t.c
    var rng = SeededRandom(seed: UInt64(t.h * 31 + t.w * 7 + t.c * 1009 + t.kh * 13 + t.sh))
    let input = rng.signedFloats(t.h * t.w * t.c), weights = rng.signedFloats(cout * k),
      bias = rng.signedFloats(cout)
    var packed = [Float](repeating: .nan, count: ck_gemm_packed_count(Int32(cout), Int32(k)))
    ck_gemm_pack(Int32(cout), Int32(k), weights, bias, &packed)
    var p = ck_conv_params(
      h: Int32(t.h), w: Int32(t.w), c: Int32(t.c), oh: Int32(oh), ow: Int32(ow), kh: Int32(t.kh),
      kw: Int32(t.kw), sh: Int32(t.sh), sw: Int32(t.sw), dh: Int32(t.dh), dw: Int32(t.dw),
      pad_top: Int32(t.pad.top), pad_left: Int32(t.pad.left), clamp: 0, lo: 0, hi: 0)
    #expect((ck_conv_supported(&p) != 0) == (t.dw == 1), "\(t)")
    let m = oh * ow
    for act in activations {
      var want = [Float](repeating: .nan, count: m * cout)
      Conv2DKernel.reference(
        input, &want, weights: weights, bias: bias, h: t.h, w: t.w, cin: t.c, cout: cout, oh: oh, ow: ow,
        kh: t.kh, kw: t.kw, sh: t.sh, sw: t.sw, dh: t.dh, dw: t.dw, padTop: t.pad.top, padLeft: t.pad.left,
        act: act)
      let (clamp, lo, hi) = act.clamp
      for isa in runnableSets {
        let i = Int32(isa.rawValue)
        if ck_conv_supported(&p) != 0 {
          var got = [Float](repeating: .nan, count: m * cout)
          ck_conv(i, &p, input, packed, Int32(cout), &got, 0, m / 3, clamp, lo, hi)
          ck_conv(i, &p, input, packed, Int32(cout), &got, m / 3, m, clamp, lo, hi)
          let e = worstError(got, want)
          #expect(e <= 1e-4, "ck_conv \(t) \(act) on \(isa): error \(e)")
        }
        var col = [Float](repeating: .nan, count: m * k)
        ck_im2col(&p, input, &col, 0, m)
        var got = [Float](repeating: .nan, count: m * cout)
        ck_gemm(i, Int32(m), Int32(cout), Int32(k), col, k, packed, &got, cout, clamp, lo, hi)
        let e = worstError(got, want)
        #expect(e <= 1e-4, "im2col + GEMM \(t) \(act) on \(isa): error \(e)")
      }
    }
  }

  /// Folding PADs into the convolutions (done unless every tensor is preserved) changes no output.
  @Test func padFoldingKeepsTheDetectorsOutputs() throws {
    let model = try TFLiteModel.read(path: try TestAssets.model("pose_detection.tflite"))
    let folded = try Interpreter(model: model)
    let plain = try Interpreter(model: model, preserveAllTensors: true)
    #expect(folded.kernelCount < plain.kernelCount, "no PAD was folded")
    #expect(folded.kernelLabels.contains { $0.hasSuffix("+PAD") })
    var rng = SeededRandom(seed: 42)
    let x = rng.signedFloats(folded.inputs[0].count)
    try x.withUnsafeBufferPointer {
      try folded.setInput(0, $0)
      try plain.setInput(0, $0)
    }
    folded.invoke()
    plain.invoke()
    for i in folded.outputs.indices {
      let e = worstError(folded.output(i), plain.output(i))
      #expect(e <= 1e-5, "output \(folded.outputs[i].name): error \(e)")
    }
  }

  /// Every thread count gives the same outputs (rows are split, each row computed the same way).
  @Test func threadsDoNotChangeTheLandmarkOutputs() throws {
    let model = try TFLiteModel.read(path: try TestAssets.model("pose_landmark_full.tflite"))
    let one = try Interpreter(model: model, threads: 1)
    let two = try Interpreter(model: model, threads: 2)
    var rng = SeededRandom(seed: 7)
    let x = rng.signedFloats(one.inputs[0].count).map { ($0 + 1) / 2 }
    try x.withUnsafeBufferPointer {
      try one.setInput(0, $0)
      try two.setInput(0, $0)
    }
    one.invoke()
    two.invoke()
    for i in one.outputs.indices {
      #expect(one.output(i) == two.output(i), "output \(one.outputs[i].name) differs between 1 and 2 threads")
    }
  }
}
