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

    /// Where dlib crops the image for a chip (inclusive pixel bounds, clipped to the image) and
    /// how many pyramid levels it reduces that crop by. Nil when the crop lies outside.
    static func sourceRegion(of chip: FaceChipGeometry, width: Int, height: Int) -> (left: Int, top: Int, right: Int, bottom: Int, depth: Int)? {
        let area = Double(chip.size * chip.size)
        // Pyramid depth and the margin the filters need, as dlib computes them.
        var depth = 0, grow = 2.0
        var probe = down(chip.rect)
        while probe.area > area { probe = down(probe); depth += 1; grow = grow * 2 + 2 }
        let center = chip.rect.center
        let corners = [FacePoint(x: chip.rect.left, y: chip.rect.top), FacePoint(x: chip.rect.right, y: chip.rect.top),
                       FacePoint(x: chip.rect.left, y: chip.rect.bottom), FacePoint(x: chip.rect.right, y: chip.rect.bottom)]
            .map { rotate($0, around: center, by: chip.angle) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        let round = { (v: Double) in Int((v + 0.5).rounded(.down)) }
        let left = max(0, round((xs.min() ?? 0) - grow)), top = max(0, round((ys.min() ?? 0) - grow))
        let right = min(width - 1, round((xs.max() ?? 0) + grow)), bottom = min(height - 1, round((ys.max() ?? 0) + grow))
        guard right >= left, bottom >= top else { return nil }
        return (left, top, right, bottom, depth)
    }

    /// One chip, exactly as dlib cuts it: its own crop, reduced by its own pyramid.
    public static func extract(from image: Image, _ chip: FaceChipGeometry) -> Image {
        extract(from: image, [chip])[0]
    }

    /// Several chips of one face (for example at jittered boxes, and the age and the gender
    /// chip of each) cut from one pyramid built over the union of their crops, instead of one
    /// pyramid per chip: the costly part for a big face is the first pyramid level of its crop.
    /// The union starts on the first chip's pyramid grid (its origin moved up and left to a
    /// multiple of the deepest level's step from the first chip's crop), so the first chip
    /// comes out exactly as dlib cuts it, and so does any chip whose crop starts a multiple of
    /// its own step away (the other size of the same landmarks, as dlib's crop margins are
    /// 2^(depth + 2) - 2). Other chips are sampled from a grid shifted by a fraction of a
    /// level pixel: within about one grey level of dlib's.
    public static func extract(from image: Image, _ chips: [FaceChipGeometry]) -> [Image] {
        let rgb = image.format == .rgb ? image : image.converted(to: .rgb)
        let regions = chips.compactMap { sourceRegion(of: $0, width: rgb.width, height: rgb.height) }
        guard let first = regions.first else {
            return chips.map { Image(width: $0.size, height: $0.size, format: .rgb, fill: [0, 0, 0]) }
        }
        var union = regions.dropFirst().reduce(first) { u, r in
            (min(u.left, r.left), min(u.top, r.top), max(u.right, r.right), max(u.bottom, r.bottom), max(u.depth, r.depth))
        }
        // Onto the first chip's grid; at the image's top or left edge that may be impossible.
        let step = 1 << union.depth
        let left = first.left - (first.left - union.left + step - 1) / step * step
        let top = first.top - (first.top - union.top + step - 1) / step * step
        if left >= 0 { union.left = left }
        if top >= 0 { union.top = top }
        let pyramid = ChipSourcePyramid(rgb, left: union.left, top: union.top, right: union.right, bottom: union.bottom, depth: union.depth)
        return chips.map { chip in
            sourceRegion(of: chip, width: rgb.width, height: rgb.height) == nil
                ? Image(width: chip.size, height: chip.size, format: .rgb, fill: [0, 0, 0]) : pyramid.chip(chip)
        }
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
    /// Each output row sums its 5 source rows into one row of column sums, filters that row
    /// across at every byte position, then keeps every other pixel (the integer sums are the
    /// same in either order). All sums fit in 16 bits (at most 16 x 16 x 255 = 65280), so
    /// both passes run on 16-bit lanes: the vertical one as a plain loop the compiler
    /// vectorises (widening bytes), the horizontal one as SIMD16.
    static func pyramidDown(_ image: Image) -> Image? {
        pyramidDown(image, x: 0, y: 0, width: image.width, height: image.height)
    }

    /// pyramidDown of the width x height region of `image` at (x, y), read in place (the
    /// same pixels as pyramidDown of the cropped region, without the copy).
    static func pyramidDown(_ image: Image, x left: Int, y top: Int, width w: Int, height h: Int) -> Image? {
        guard w > 8, h > 8, image.format == .rgb, left >= 0, top >= 0,
              left + w <= image.width, top + h <= image.height else { return nil }
        let ow = (w - 3) / 2, oh = (h - 3) / 2, stride = w * 3
        // Source rows are image.width pixels apart; the region starts `origin` bytes in.
        let sourceStride = image.width * 3, origin = (top * image.width + left) * 3
        // The filtered row at byte i needs column sums i, i + 3, ..., i + 12.
        let across = stride - 12
        var out = [UInt8](repeating: 0, count: ow * oh * 3)
        var columns = [UInt16](repeating: 0, count: stride)
        var filtered = [UInt16](repeating: 0, count: across)
        typealias Sums = SIMD16<UInt16>
        image.pixels.withUnsafeBufferPointer { source in
            columns.withUnsafeMutableBufferPointer { col in
                filtered.withUnsafeMutableBufferPointer { row in
                    out.withUnsafeMutableBufferPointer { dst in
                        guard let src = source.baseAddress, let c = col.baseAddress, let f = row.baseAddress else { return }
                        func sums(_ i: Int) -> Sums { UnsafeRawPointer(c + i).loadUnaligned(as: Sums.self) }
                        let rowStep = sourceStride
                        for y in 0..<oh {
                            let r = origin + 2 * y * rowStep   // rows 2y ... 2y + 4 of the region
                            // A plain loop: the compiler widens and sums 16 or 32 bytes at a time.
                            let (s0, s1, s2, s3, s4) = (src + r, src + r + rowStep, src + r + 2 * rowStep,
                                                        src + r + 3 * rowStep, src + r + 4 * rowStep)
                            for i in 0..<stride {
                                c[i] = UInt16(s0[i]) &+ 4 &* UInt16(s1[i]) &+ 6 &* UInt16(s2[i]) &+ 4 &* UInt16(s3[i]) &+ UInt16(s4[i])
                            }
                            var i = 0
                            while i + 16 <= across {
                                let s = sums(i) &+ 4 &* sums(i + 3) &+ 6 &* sums(i + 6) &+ 4 &* sums(i + 9) &+ sums(i + 12)
                                UnsafeMutableRawPointer(f + i).storeBytes(of: s &>> 8, as: Sums.self)
                                i += 16
                            }
                            while i < across {
                                f[i] = (c[i] &+ 4 &* c[i + 3] &+ 6 &* c[i + 6] &+ 4 &* c[i + 9] &+ c[i + 12]) >> 8
                                i += 1
                            }
                            let o = y * ow * 3
                            for x in 0..<ow {   // output pixel x is filtered pixel 2x
                                dst[o + 3 * x] = UInt8(truncatingIfNeeded: f[6 * x])
                                dst[o + 3 * x + 1] = UInt8(truncatingIfNeeded: f[6 * x + 1])
                                dst[o + 3 * x + 2] = UInt8(truncatingIfNeeded: f[6 * x + 2])
                            }
                        }
                    }
                }
            }
        }
        return Image(width: ow, height: oh, format: .rgb, pixels: out)
    }
}

/// dlib's pyramid of one region of an RGB image (level 0 the region itself, each next level
/// `FaceChipExtractor.pyramidDown` of the previous), from which chips are sampled. Level 1
/// is filtered straight from the image; level 0 is cropped only if a chip is sampled there.
struct ChipSourcePyramid {
    /// The region's inclusive pixel bounds in the image.
    let left, top, right, bottom: Int
    let image: Image
    /// Levels 1, 2, ...
    let reduced: [Image]

    /// The region's inclusive pixel bounds, and the deepest level any chip needs.
    init(_ rgb: Image, left: Int, top: Int, right: Int, bottom: Int, depth: Int) {
        (self.left, self.top, self.right, self.bottom, image) = (left, top, right, bottom, rgb)
        var reduced: [Image] = []
        if depth > 0, let first = FaceChipExtractor.pyramidDown(rgb, x: left, y: top, width: right - left + 1, height: bottom - top + 1) {
            reduced.append(first)
            while reduced.count < depth, let last = reduced.last, let smaller = FaceChipExtractor.pyramidDown(last) {
                reduced.append(smaller)
            }
        }
        self.reduced = reduced
    }

    /// The chip sampled from the level dlib would sample it from: go down while the chip's
    /// rectangle one level down still has more pixels than the chip.
    func chip(_ chip: FaceChipGeometry) -> Image {
        let area = Double(chip.size * chip.size)
        var rect = FaceBox(left: chip.rect.left - Double(left), top: chip.rect.top - Double(top),
                           right: chip.rect.right - Double(left), bottom: chip.rect.bottom - Double(top))
        var level = 0
        while level < reduced.count, FaceChipExtractor.down(rect).area > area {
            rect = FaceChipExtractor.down(rect)
            level += 1
        }
        let source = level > 0 ? reduced[level - 1]
            : image.cropped(x: left, y: top, width: right - left + 1, height: bottom - top + 1)
        return FaceChipExtractor.sample(source, rect: rect, angle: chip.angle, size: chip.size)
    }
}
