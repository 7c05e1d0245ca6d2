/// A point in image pixel coordinates (x right, y down).
public struct FacePoint: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
    /// Rounded to the nearest pixel, halves upwards (dlib's float-to-integer point conversion).
    var rounded: FacePoint { FacePoint(x: (x + 0.5).rounded(.down), y: (y + 0.5).rounded(.down)) }
}

/// An axis-aligned box in pixel coordinates with inclusive `right`/`bottom` (dlib's rectangle
/// convention: width = right - left + 1).
public struct FaceBox: Sendable, Equatable, Codable {
    public var left, top, right, bottom: Double
    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left; self.top = top; self.right = right; self.bottom = bottom
    }
    public var width: Double { right - left + 1 }
    public var height: Double { bottom - top + 1 }
    var area: Double { right < left || bottom < top ? 0 : width * height }
    var center: FacePoint { FacePoint(x: (left + right) / 2, y: (top + bottom) / 2) }
}

/// x' = a x - b y + tx, y' = b x + a y + ty: rotation, uniform scale and translation.
struct SimilarityTransform: Equatable {
    var a, b, tx, ty: Double

    func apply(_ p: FacePoint) -> FacePoint {
        FacePoint(x: a * p.x - b * p.y + tx, y: b * p.x + a * p.y + ty)
    }
    /// The linear part applied to a vector.
    func rotateScale(_ x: Double, _ y: Double) -> (Double, Double) { (a * x - b * y, b * x + a * y) }

    /// Least-squares similarity mapping `from` onto `to` (Umeyama 1991, closed form in 2-D
    /// without reflection): with centred points, a = sum(f.t) / sum|f|^2 and
    /// b = sum(f x t) / sum|f|^2.
    static func fit(from: [FacePoint], to: [FacePoint]) -> SimilarityTransform {
        precondition(from.count == to.count && !from.isEmpty)
        let n = Double(from.count)
        let fx = from.reduce(0) { $0 + $1.x } / n, fy = from.reduce(0) { $0 + $1.y } / n
        let tx = to.reduce(0) { $0 + $1.x } / n, ty = to.reduce(0) { $0 + $1.y } / n
        var dot = 0.0, cross = 0.0, norm = 0.0
        for (f, t) in zip(from, to) {
            let (ax, ay, bx, by) = (f.x - fx, f.y - fy, t.x - tx, t.y - ty)
            dot += ax * bx + ay * by
            cross += ax * by - ay * bx
            norm += ax * ax + ay * ay
        }
        let a = norm > 0 ? dot / norm : 1, b = norm > 0 ? cross / norm : 0
        return SimilarityTransform(a: a, b: b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy))
    }
}
