// MediaIO: frame-folder listing (.png/.jpg/.jpeg files in natural order) and the natural sort comparator.

/// A folder of image frames, listed in natural order.
public enum FrameFolder {
  /// The file extensions (lowercased, without the dot) that count as image frames.
  public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Full paths of the image files in `path`, in natural order.
  ///
  /// Image files are regular files (or symlinks to them) whose extension is .png, .jpg or .jpeg in any
  /// letter case; hidden files (names starting with ".") and subfolders are skipped. The result is sorted
  /// with `naturalLess`, so `f2` comes before `f10`. Throws `fileNotFound`, `notADirectory`, `unreadable`,
  /// or `noImageFiles` when the folder holds no image files.
  public static func list(_ path: String) throws(MediaIOError) -> [String] {
    switch try FileIO.entryType(path) {
    case .directory: break
    case .regular, .other: throw MediaIOError(path: path, kind: .notADirectory)
    }
    let names = try FileIO.directoryEntries(path)
    var images: [String] = []
    for name in names where !name.hasPrefix(".") && isImageName(name) {
      let full = FileIO.join(path, name)
      if case .regular? = try? FileIO.entryType(full) { images.append(name) }
    }
    guard !images.isEmpty else {
      throw MediaIOError(path: path, kind: .noImageFiles(otherEntries: names.count))
    }
    return images.sorted(by: naturalLess).map { FileIO.join(path, $0) }
  }

  /// Whether `name` ends in .png, .jpg or .jpeg (any case).
  static func isImageName(_ name: String) -> Bool {
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return false }
    return imageExtensions.contains(name[name.index(after: dot)...].lowercased())
  }

  /// Natural ("human") ordering: runs of ASCII digits compare by numeric value, other characters compare
  /// case-insensitively (ASCII letters) by Unicode scalar value, so `f2 < f10` and
  /// `frame_0009 < frame_0010`.
  ///
  /// Strings that are equal under that rule (e.g. `f7`, `f07`, `F7`) are ordered by their raw UTF-8 bytes,
  /// which makes this a strict total order: `naturalLess(a, b) == false && naturalLess(b, a) == false`
  /// only when `a == b` byte for byte.
  public static func naturalLess(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    var i = 0
    var j = 0
    while i < x.count && j < y.count {
      if isDigit(x[i]) && isDigit(y[j]) {
        var iEnd = i
        while iEnd < x.count && isDigit(x[iEnd]) { iEnd += 1 }
        var jEnd = j
        while jEnd < y.count && isDigit(y[jEnd]) { jEnd += 1 }
        // Compare numerically without converting (runs may be longer than any integer type).
        var iStart = i
        while iStart < iEnd - 1 && x[iStart] == 0x30 { iStart += 1 }
        var jStart = j
        while jStart < jEnd - 1 && y[jStart] == 0x30 { jStart += 1 }
        let iLength = iEnd - iStart
        let jLength = jEnd - jStart
        if iLength != jLength { return iLength < jLength }
        for k in 0..<iLength where x[iStart + k] != y[jStart + k] {
          return x[iStart + k] < y[jStart + k]
        }
        i = iEnd
        j = jEnd
        continue
      }
      let p = folded(x[i])
      let q = folded(y[j])
      if p != q { return p < q }
      i += 1
      j += 1
    }
    let xDone = i >= x.count
    let yDone = j >= y.count
    if xDone != yDone { return xDone }
    return x.lexicographicallyPrecedes(y)
  }

  private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  private static func folded(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }
}
