import Foundation
import Imaging

/// Where an aligned face chip lies in the image: dlib's `get_face_chip_details` for 5-point
/// landmarks. The similarity transform that best maps dlib's mean 5-point face (padded by
/// `padding` on every side, scaled to `size`) onto the landmarks gives the chip's angle and
/// scale; `rect` is the chip-sized square, scaled, centred where the chip's centre lands.
public struct FaceChipGeometry: Sendable, Equatable {
    /// dlib's mean positions of the 5 landmarks in the unit face square (dlib part order).
    static let meanFace: [FacePoint] = [
        FacePoint(x: 0.8595674595992, y: 0.2134981538014), FacePoint(x: 0.6460604764104, y: 0.2289674387677),
        FacePoint(x: 0.1205750620789, y: 0.2137274526848), FacePoint(x: 0.3340850613712, y: 0.2290642403242),
        FacePoint(x: 0.4901123135679, y: 0.6277975316475),
    ]
    public let rect: FaceBox
    public let angle: Double
    public let size: Int

    /// `landmarks` in dlib's 5-point order; like dlib, they are first rounded to whole pixels.
    public init(landmarks: [FacePoint], size: Int, padding: Double) {
        precondition(landmarks.count == 5 && size > 0)
        let chipPoints = Self.meanFace.map {
            FacePoint(x: (padding + $0.x) / (2 * padding + 1) * Double(size), y: (padding + $0.y) / (2 * padding + 1) * Double(size))
        }
        let transform = SimilarityTransform.fit(from: chipPoints, to: landmarks.map(\.rounded))
        angle = atan2(transform.b, transform.a)
        let scale = (transform.a * transform.a + transform.b * transform.b).squareRoot()
        let center = transform.apply(FacePoint(x: Double(size) / 2, y: Double(size) / 2))
        // dlib's centered_drect: a box of width w spans w - 1 between its inclusive edges.
        let half = (Double(size) * scale - 1) / 2
        rect = FaceBox(left: center.x - half, top: center.y - half, right: center.x + half, bottom: center.y + half)
        self.size = size
    }
}

/// Cuts aligned face chips out of an RGB image as dlib's `extract_image_chip` does: when the
/// chip is much smaller than its source square, the region is first reduced with dlib's 2x
/// Gaussian pyramid (5-tap [1 4 6 4 1] filter), then sampled bilinearly (black outside).
public enum FaceChipExtractor {
    /// dlib's pyramid_down<2> coordinate map from a level to the next one down.
    static func down(_ r: FaceBox) -> FaceBox {
        FaceBox(left: r.left / 2 - 1.25, top: r.top / 2 - 0.75, right: r.right / 2 - 1.25, bottom: r.bottom / 2 - 0.75)
    }

    static func rotate(_ p: FacePoint, around c: FacePoint, by angle: Double) -> FacePoint {
        let (s, co) = (sin(angle), cos(angle))
        let (dx, dy) = (p.x - c.x, p.y - c.y)
        return FacePoint(x: c.x + co * dx - s * dy, y: c.y + s * dx + co * dy)
    }

    public static func extract(from image: Image, _ chip: FaceChipGeometry) -> Image {
        let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
        let area = Double(chip.size * chip.size)
        // Pyramid depth and the margin the filters need, as dlib computes them.
        var depth = 0, grow = 2.0
        var probe = down(chip.rect)
        while probe.area > area { probe = down(probe); depth += 1; grow = grow * 2 + 2 }
        let center = chip.rect.center
        let corners = [FacePoint(x: chip.rect.left, y: chip.rect.top), FacePoint(x: chip.rect.right, y: chip.rect.top),
                       FacePoint(x: chip.rect.left, y: chip.rect.bottom), FacePoint(x: chip.rect.right, y: chip.rect.bottom)]
            .map { rotate($0, around: center, by: chip.angle) }
        let round = { (v: Double) in Int((v + 0.5).rounded(.down)) }
        let left = max(0, round(corners.map(\.x).min()! - grow)), top = max(0, round(corners.map(\.y).min()! - grow))
        let right = min(rgb.width - 1, round(corners.map(\.x).max()! + grow))
        let bottom = min(rgb.height - 1, round(corners.map(\.y).max()! + grow))
        guard right >= left, bottom >= top else {
            return Image(width: chip.size, height: chip.size, format: .rgb, fill: [0, 0, 0])
        }
        var source = rgb.cropped(x: left, y: top, width: right - left + 1, height: bottom - top + 1)
        var rect = FaceBox(left: chip.rect.left - Double(left), top: chip.rect.top - Double(top),
                           right: chip.rect.right - Double(left), bottom: chip.rect.bottom - Double(top))
        var level = 0
        while level < depth, down(rect).area > area, let smaller = pyramidDown(source) {
            source = smaller
            rect = down(rect)
            level += 1
        }
        return sample(source, rect: rect, angle: chip.angle, size: chip.size)
    }

    /// Bilinear sampling of the rotated `rect` into a size x size chip; chip corners map to
    /// the rect's corners.
    static func sample(_ source: Image, rect: FaceBox, angle: Double, size: Int) -> Image {
        let c = rect.center
        let origin = rotate(FacePoint(x: rect.left, y: rect.top), around: c, by: angle)
        let topRight = rotate(FacePoint(x: rect.right, y: rect.top), around: c, by: angle)
        let bottomLeft = rotate(FacePoint(x: rect.left, y: rect.bottom), around: c, by: angle)
        let steps = Double(max(1, size - 1))
        let (ux, uy) = ((topRight.x - origin.x) / steps, (topRight.y - origin.y) / steps)
        let (vx, vy) = ((bottomLeft.x - origin.x) / steps, (bottomLeft.y - origin.y) / steps)
        var out = [UInt8](repeating: 0, count: size * size * 3)
        let (w, h) = (source.width, source.height)
        source.pixels.withUnsafeBufferPointer { src in
            for row in 0..<size {
                for col in 0..<size {
                    let x = origin.x + Double(col) * ux + Double(row) * vx
                    let y = origin.y + Double(col) * uy + Double(row) * vy
                    let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
                    guard x0 >= 0, y0 >= 0, x0 + 1 < w, y0 + 1 < h else { continue }
                    let fx = x - Double(x0), fy = y - Double(y0)
                    let p = (y0 * w + x0) * 3, o = (row * size + col) * 3
                    for ch in 0..<3 {
                        let top = (1 - fx) * Double(src[p + ch]) + fx * Double(src[p + 3 + ch])
                        let bottom = (1 - fx) * Double(src[p + w * 3 + ch]) + fx * Double(src[p + w * 3 + 3 + ch])
                        out[o + ch] = UInt8(min(255, max(0, (1 - fy) * top + fy * bottom + 0.5)))
                    }
                }
            }
        }
        return Image(width: size, height: size, format: .rgb, pixels: out)
    }

    /// dlib's pyramid_down<2> on RGB: separable [1 4 6 4 1] / 16 filter, keeping every other
    /// row and column (output pixel (x, y) centred on input (2x + 2, 2y + 2)), integer sums
    /// divided by 256 with truncation. Nil when the image is too small (8 pixels or less).
    static func pyramidDown(_ image: Image) -> Image? {
        let (w, h) = (image.width, image.height)
        guard w > 8, h > 8 else { return nil }
        let ow = (w - 3) / 2, oh = (h - 3) / 2
        var rows = [UInt32](repeating: 0, count: h * ow * 3)
        image.pixels.withUnsafeBufferPointer { src in
            for r in 0..<h {
                for c in 0..<ow {
                    let p = (r * w + 2 * c) * 3
                    for ch in 0..<3 {
                        rows[(r * ow + c) * 3 + ch] = UInt32(src[p + ch]) + 4 * UInt32(src[p + 3 + ch]) + 6 * UInt32(src[p + 6 + ch])
                            + 4 * UInt32(src[p + 9 + ch]) + UInt32(src[p + 12 + ch])
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        var dr = 0, r = 2
        while r < h - 2 && dr < oh {
            for i in 0..<(ow * 3) {
                let sum = rows[(r - 2) * ow * 3 + i] + 4 * rows[(r - 1) * ow * 3 + i] + 6 * rows[r * ow * 3 + i]
                    + 4 * rows[(r + 1) * ow * 3 + i] + rows[(r + 2) * ow * 3 + i]
                out[dr * ow * 3 + i] = UInt8(sum / 256)
            }
            dr += 1; r += 2
        }
        return Image(width: ow, height: oh, format: .rgb, pixels: out)
    }
}
