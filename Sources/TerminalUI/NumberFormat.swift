// TerminalUI: locale-independent fixed-point number formatting for tables and status lines.

/// Deterministic number formatting (no locale, no Foundation), safe for any Double.
public enum NumberFormat {
  /// `value` with `decimals` (0…6) digits after the point, e.g. `fixed(-1.25, decimals: 1)` = `-1.3`
  /// (half away from zero). With `signed`, non-zero values get a leading `+`. NaN gives `-`; magnitudes of
  /// 1e15 and more give `inf`/`-inf`. Values that round to zero never show a minus sign.
  public static func fixed(_ value: Double, decimals: Int, signed: Bool = false) -> String {
    guard !value.isNaN else { return "-" }
    if abs(value) >= 1e15 { return value > 0 ? (signed ? "+inf" : "inf") : "-inf" }
    var d = min(6, max(0, decimals))
    // Fewer decimals for huge values so the scaled integer stays far from Int.max.
    while d > 0 && abs(value) * pow10(d) >= 1e17 { d -= 1 }
    let p = Int(pow10(d))
    let scaled = Int((abs(value) * Double(p)).rounded(.toNearestOrAwayFromZero))
    let whole = scaled / p
    let fraction = scaled % p
    var out = ""
    if scaled != 0 {
      if value < 0 {
        out = "-"
      } else if signed {
        out = "+"
      }
    }
    out += String(whole)
    if d > 0 {
      let digits = String(fraction)
      out += "." + String(repeating: "0", count: d - digits.count) + digits
    }
    return out
  }

  static func pow10(_ n: Int) -> Double {
    var p = 1.0
    for _ in 0..<n { p *= 10 }
    return p
  }

  /// `text` right-aligned in `width` columns (longer text is returned unchanged).
  public static func padLeft(_ text: String, _ width: Int) -> String {
    let n = TextWidth.columns(of: text)
    return n >= width ? text : String(repeating: " ", count: width - n) + text
  }

  /// `text` left-aligned in `width` columns, cut with `ellipsis` when longer.
  public static func padRight(_ text: String, _ width: Int, ellipsis: Unicode.Scalar = "…") -> String {
    let cut = TextWidth.truncated(text, toColumns: width, ellipsis: ellipsis)
    let n = TextWidth.columns(of: cut)
    return n >= width ? cut : cut + String(repeating: " ", count: width - n)
  }
}
