// Separable Gaussian blur of a single-channel image, edges clamped (the edge value repeats).
//
// Both passes run 16 output pixels at a time, the taps summed in kernel order into one
// vector (a multiply then an add per tap, as the plain loop does), so each pixel gets the
// same value as the scalar loops `s += k[i] * x[i]` in the same order.
import Foundation

/// The normalised kernel: exp(-i² / 2σ²) for i in -radius...radius, radius ceil(4σ),
/// divided by its sum.
public func gaussianKernel(sigma: Float) -> [Float] {
    let radius = Int((4 * sigma).rounded(.up))
    let kernel = (-radius...radius).map { exp(-Float($0 * $0) / (2 * sigma * sigma)) }
    let total = kernel.reduce(0, +)
    return kernel.map { $0 / total }
}

/// `values` (`height` rows of `width`) blurred by a Gaussian of `sigma` pixels.
public func gaussianBlur(_ values: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
    precondition(width >= 0 && height >= 0 && values.count == width * height, "gaussianBlur: \(values.count) values for \(width)x\(height)")
    if values.isEmpty { return values }
    let kernel = gaussianKernel(sigma: sigma)
    let radius = kernel.count / 2
    var horizontal = [Float](repeating: 0, count: values.count)
    var out = [Float](repeating: 0, count: values.count)
    let padded = UnsafeMutablePointer<Float>.allocate(capacity: width + 2 * radius)
    defer { padded.deallocate() }
    kernel.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { src in
            horizontal.withUnsafeMutableBufferPointer { hor in
                for y in 0..<height {
                    // The row with `radius` copies of its edge values on each side.
                    let row = src.baseAddress! + y * width
                    for i in 0..<radius { padded[i] = row[0]; padded[width + radius + i] = row[width - 1] }
                    (padded + radius).update(from: row, count: width)
                    blurRow(padded, width: width, kernel: k, into: hor.baseAddress! + y * width)
                }
            }
        }
        // Vertical: output row y sums the rows y - radius ... y + radius (indices clamped).
        let rows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: k.count)
        defer { rows.deallocate() }
        horizontal.withUnsafeBufferPointer { hor in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    for i in 0..<k.count { rows[i] = hor.baseAddress! + min(max(y + i - radius, 0), height - 1) * width }
                    blurColumns(rows, width: width, kernel: k, into: dst.baseAddress! + y * width)
                }
            }
        }
    }
    return out
}

/// out[x] = sum over i of k[i] * row[x + i], for x in 0..<width (`row` holds width + taps - 1).
@inline(__always)
private func blurRow(_ row: UnsafePointer<Float>, width: Int, kernel k: UnsafeBufferPointer<Float>,
                     into out: UnsafeMutablePointer<Float>) {
    var x = 0
    while x + 16 <= width {
        var s = SIMD16<Float>()
        for i in 0..<k.count { s = s + SIMD16(repeating: k[i]) * load16(row + x + i) }
        store16(out + x, s)
        x += 16
    }
    while x < width {
        var s: Float = 0
        for i in 0..<k.count { s += k[i] * row[x + i] }
        out[x] = s
        x += 1
    }
}

/// out[x] = sum over i of k[i] * rows[i][x], for x in 0..<width.
@inline(__always)
private func blurColumns(_ rows: UnsafePointer<UnsafePointer<Float>>, width: Int, kernel k: UnsafeBufferPointer<Float>,
                         into out: UnsafeMutablePointer<Float>) {
    var x = 0
    while x + 16 <= width {
        var s = SIMD16<Float>()
        for i in 0..<k.count { s = s + SIMD16(repeating: k[i]) * load16(rows[i] + x) }
        store16(out + x, s)
        x += 16
    }
    while x < width {
        var s: Float = 0
        for i in 0..<k.count { s += k[i] * rows[i][x] }
        out[x] = s
        x += 1
    }
}
