import Foundation
import Imaging
import Tensors
import SeededRandom

/// Generated product photos for demos and tests: a brushed-metal-like surface (base colour,
/// fine directional grain, per-pixel noise, a soft lighting gradient), and, for defective
/// items, drawn scratches (thin dark lines) or spots (dark or rust-coloured blobs) with their
/// ground-truth masks. Seeded: the same seed gives the same images.
public enum SyntheticSurfaces {
    public struct Sample: Sendable {
        public var image: Image
        /// White where the defect was drawn; nil for good items.
        public var mask: Image?
    }

    public static func good(width: Int, height: Int, seed: UInt64) -> Sample {
        var rng = rngFor(seed)
        return Sample(image: surface(width: width, height: height, rng: &rng), mask: nil)
    }

    /// A defective item: a scratch when `seed` is even, a spot when odd.
    public static func defective(width: Int, height: Int, seed: UInt64) -> Sample {
        var rng = rngFor(seed)
        var pixels = surface(width: width, height: height, rng: &rng).pixels
        var mask = [UInt8](repeating: 0, count: width * height)
        let m = Float(min(width, height))
        let cx = Float(width) * (0.25 + 0.5 * unit(&rng)), cy = Float(height) * (0.25 + 0.5 * unit(&rng))
        func paint(_ x: Int, _ y: Int, _ colour: (Float, Float, Float), _ strength: Float) {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            let p = (y * width + x) * 3
            for (c, v) in [colour.0, colour.1, colour.2].enumerated() {
                pixels[p + c] = UInt8(clamping: Int((Float(pixels[p + c]) * (1 - strength) + v * strength).rounded()))
            }
            mask[y * width + x] = 255
        }
        if seed % 2 == 0 {
            // Scratch: a line of 2-3 px across a fifth to a half of the item.
            let angle = unit(&rng) * .pi, length = m * (0.2 + 0.3 * unit(&rng))
            let steps = Int(length * 2)
            for s in 0...steps {
                let t = Float(s) / Float(steps) - 0.5
                let x = cx + cos(angle) * t * length, y = cy + sin(angle) * t * length
                for dy in -1...1 { for dx in -1...1 { paint(Int(x) + dx, Int(y) + dy, (40, 38, 36), 0.8) } }
            }
        } else {
            // Spot: a blob of radius 4-8% of the side, dark or rust-coloured.
            let radius = m * (0.04 + 0.04 * unit(&rng))
            let colour: (Float, Float, Float) = unit(&rng) < 0.5 ? (60, 50, 45) : (150, 80, 40)
            for y in Int(cy - radius)...Int(cy + radius) {
                for x in Int(cx - radius)...Int(cx + radius) {
                    let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
                    if d <= radius { paint(x, y, colour, 0.85) }
                }
            }
        }
        return Sample(image: Image(width: width, height: height, format: .rgb, pixels: pixels),
                      mask: Image(width: width, height: height, format: .gray, pixels: mask))
    }

    /// The two defect types and their mask colours (`coloredMasks`).
    public static let defectLabels = SegmentationLabels(labels: [SegmentationLabel(name: "scratch", color: "#FF0000"),
                                                                 SegmentationLabel(name: "spot", color: "#0080FF")])

    /// Writes `good` and `defective` PNGs to DIR/good, DIR/bad and the masks to DIR/masks
    /// (named like the defective image). Returns the paths of the three folders. Masks are
    /// white on black, or with `coloredMasks` each type in its colour of `defectLabels`; then
    /// DIR/manifest.jsonl lists every photo in Lookout's manifest shape with the colour map
    /// (`anomaly-mask-ref-metadata.internal-color-map`), and DIR/mask-colors.json holds the map
    /// for `train --masks DIR/masks --mask-colors`.
    @discardableResult
    public static func writeDataset(to directory: String, good: Int, defective: Int, width: Int = 256, height: Int = 192,
                                    seed: UInt64 = 1, coloredMasks: Bool = false) throws(InspectionError) -> (good: String, bad: String, masks: String) {
        let dirs = ["good", "bad", "masks"].map { (directory as NSString).appendingPathComponent($0) }
        for dir in dirs {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
            catch { throw InspectionError(dir, "cannot create the folder: \(error.localizedDescription)") }
        }
        func write(_ image: Image, _ path: String) throws(InspectionError) {
            do { try image.write(to: path) } catch { throw InspectionError(path, error.reason) }
        }
        var manifest: [String] = []
        let colorMap = "{\"0\": {\"class-name\": \"BACKGROUND\", \"hex-color\": \"#000000\"}, "
            + defectLabels.labels.enumerated().map { "\"\($0 + 1)\": {\"class-name\": \"\($1.name)\", \"hex-color\": \"\($1.color)\"}" }
                .joined(separator: ", ") + "}"
        for i in 0..<good {
            let name = String(format: "%03d.png", i + 1)
            try write(Self.good(width: width, height: height, seed: seed &* 1000 &+ UInt64(i)).image,
                      (dirs[0] as NSString).appendingPathComponent(name))
            manifest.append("{\"source-ref\": \"good/\(name)\", \"anomaly-label\": 0}")
        }
        for i in 0..<defective {
            let sampleSeed = seed &* 1000 &+ 500 &+ UInt64(i)
            let sample = Self.defective(width: width, height: height, seed: sampleSeed)
            let name = String(format: "%03d.png", i + 1)
            try write(sample.image, (dirs[1] as NSString).appendingPathComponent(name))
            guard var mask = sample.mask else { continue }
            if coloredMasks { mask = colored(mask, as: defectLabels.labels[sampleSeed % 2 == 0 ? 0 : 1]) }
            try write(mask, (dirs[2] as NSString).appendingPathComponent(name))
            manifest.append("{\"source-ref\": \"bad/\(name)\", \"anomaly-label\": 1, \"anomaly-mask-ref\": \"masks/\(name)\", "
                            + "\"anomaly-mask-ref-metadata\": {\"internal-color-map\": \(colorMap)}}")
        }
        if coloredMasks {
            for (file, text) in [("manifest.jsonl", manifest.joined(separator: "\n") + "\n"), ("mask-colors.json", colorMap + "\n")] {
                let path = (directory as NSString).appendingPathComponent(file)
                do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                    throw InspectionError(path, "cannot write: \(error.localizedDescription)")
                }
            }
        }
        return (dirs[0], dirs[1], dirs[2])
    }

    /// A white-on-black mask in a label's colour.
    static func colored(_ mask: Image, as label: SegmentationLabel) -> Image {
        let (r, g, b) = SegmentationLabels.rgb(label.color) ?? (255, 0, 0)
        var pixels = [UInt8](repeating: 0, count: mask.width * mask.height * 3)
        for (i, v) in mask.pixels.enumerated() where v >= 128 {
            pixels[i * 3] = r
            pixels[i * 3 + 1] = g
            pixels[i * 3 + 2] = b
        }
        return Image(width: mask.width, height: mask.height, format: .rgb, pixels: pixels)
    }

    private static func rngFor(_ seed: UInt64) -> SeededGenerator { SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 7) }

    private static func unit(_ rng: inout SeededGenerator) -> Float { Float(rng.next() >> 40) / Float(1 << 24) }

    private static func surface(width: Int, height: Int, rng: inout SeededGenerator) -> Image {
        let base: (Float, Float, Float) = (170 + 10 * unit(&rng), 172 + 10 * unit(&rng), 168 + 10 * unit(&rng))
        let phase = unit(&rng) * 2 * .pi
        let light = 0.9 + 0.1 * unit(&rng)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let grain = 8 * sin(Float(y) * 0.9 + phase + 0.3 * sin(Float(x) * 0.05))
                let shade = light * (1 - 0.1 * Float(x + y) / Float(width + height))
                let noise = 6 * (unit(&rng) - 0.5)
                let p = (y * width + x) * 3
                pixels[p] = UInt8(clamping: Int(((base.0 + grain + noise) * shade).rounded()))
                pixels[p + 1] = UInt8(clamping: Int(((base.1 + grain + noise) * shade).rounded()))
                pixels[p + 2] = UInt8(clamping: Int(((base.2 + grain + noise) * shade).rounded()))
            }
        }
        return Image(width: width, height: height, format: .rgb, pixels: pixels)
    }
}
