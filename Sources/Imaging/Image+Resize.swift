/// How to resample when resizing.
public enum ResizeFilter: Sendable {
    /// Two-tap linear interpolation between pixel centres. Fast; aliases when shrinking by
    /// more than 2x because most source pixels are skipped.
    case bilinear
    /// Linear (triangle) filter whose support widens with the reduction, so every source
    /// pixel contributes: antialiased like Pillow's BILINEAR resize. Equals `bilinear` when
    /// enlarging.
    case antialiased
    /// Box filter over the covered area: each output pixel is the (fractional-coverage)
    /// mean of the source pixels under it. Best for large integer-ish reductions.
    case area
}

/// Per-output-coordinate taps of a 1-D resampling filter: output i reads source pixels
/// `first[i] ..< first[i] + count[i]` with weights `weights[i * maxTaps + k]` (summing to 1).
struct ResampleTaps {
    var first: [Int32]
    var count: [Int32]
    var weights: [Float]
    var maxTaps: Int

    init(inSize: Int, outSize: Int, filter: ResizeFilter) {
        // Pixel centres sit at i + 0.5: output i maps to source coordinate (i + 0.5) * scale.
        let scale = Double(inSize) / Double(outSize)
        let widen = filter == .bilinear ? 1.0 : max(scale, 1.0)
        let support = (filter == .area ? 0.5 : 1.0) * widen
        maxTaps = Int((support * 2).rounded(.up)) + 2
        first = [Int32](repeating: 0, count: outSize)
        count = [Int32](repeating: 0, count: outSize)
        weights = [Float](repeating: 0, count: outSize * maxTaps)
        for i in 0..<outSize {
            let centre = (Double(i) + 0.5) * scale
            let lo = max(0, Int((centre - support).rounded(.down)))
            let hi = min(inSize, Int((centre + support).rounded(.up)))
            var taps: [Double] = []
            for j in lo..<max(lo, hi) {
                if filter == .area {
                    taps.append(areaCoverage(j: j, centre: centre, half: 0.5 * widen))
                } else {
                    // Triangle filter, stretched by `widen` when shrinking.
                    taps.append(max(0, 1 - abs((Double(j) + 0.5 - centre) / widen)))
                }
            }
            var total = taps.reduce(0, +)
            if total <= 0 {  // degenerate (can only happen at the very edge): nearest pixel
                taps = [1]
                total = 1
                first[i] = Int32(min(inSize - 1, max(0, Int(centre))))
            } else {
                first[i] = Int32(lo)
            }
            // Trim zero-weight taps at both ends so the inner loops skip them.
            var start = 0, end = taps.count
            while start < end - 1 && taps[start] == 0 { start += 1 }
            while end - 1 > start && taps[end - 1] == 0 { end -= 1 }
            first[i] += Int32(start)
            count[i] = Int32(end - start)
            for k in start..<end { weights[i * maxTaps + k - start] = Float(taps[k] / total) }
        }
    }
}

/// Overlap of source pixel [j, j+1) with the footprint [centre - half, centre + half).
private func areaCoverage(j: Int, centre: Double, half: Double) -> Double {
    max(0, min(Double(j + 1), centre + half) - max(Double(j), centre - half))
}

extension Image {
    /// The image resampled to a new size. Separable: for each output row, a vertical pass
    /// blends whole source rows into one Float row (contiguous, so it vectorises), then a
    /// horizontal pass resamples that row; results are rounded once, at the end.
    public func resized(width outWidth: Int, height outHeight: Int,
                        filter: ResizeFilter = .antialiased) -> Image {
        precondition(outWidth > 0 && outHeight > 0, "resize target must be at least 1x1")
        if outWidth == width && outHeight == height { return self }
        guard width > 0, height > 0 else {
            return Image(width: outWidth, height: outHeight, format: format, fill: [UInt8](repeating: 0, count: channels))
        }
        let c = channels
        let horizontal = ResampleTaps(inSize: width, outSize: outWidth, filter: filter)
        let vertical = ResampleTaps(inSize: height, outSize: outHeight, filter: filter)
        let inStride = width * c, outStride = outWidth * c
        var out = [UInt8](repeating: 0, count: outHeight * outStride)
        var row = [Float](repeating: 0, count: inStride)
        pixels.withUnsafeBufferPointer { srcBuffer in
            out.withUnsafeMutableBufferPointer { dstBuffer in
                row.withUnsafeMutableBufferPointer { rowBuffer in
                    let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!, acc = rowBuffer.baseAddress!
                    for y in 0..<outHeight {
                        // Vertical: acc = sum_k w_k * source row (first + k).
                        let first = Int(vertical.first[y]), taps = Int(vertical.count[y])
                        let w = vertical.weights.withUnsafeBufferPointer { $0.baseAddress! + y * vertical.maxTaps }
                        var s = src + first * inStride
                        let w0 = w[0]
                        for i in 0..<inStride { acc[i] = w0 * Float(s[i]) }
                        for k in 1..<max(1, taps) {
                            s += inStride
                            let wk = w[k]
                            for i in 0..<inStride { acc[i] += wk * Float(s[i]) }
                        }
                        // Horizontal: resample the blended row into output row y.
                        horizontalPass(acc, dst + y * outStride, outWidth: outWidth, channels: c, taps: horizontal)
                    }
                }
            }
        }
        return Image(width: outWidth, height: outHeight, format: format, pixels: out)
    }

    /// Resizes so the image fits inside the box, keeping the aspect ratio.
    public func resizedToFit(width maxWidth: Int, height maxHeight: Int,
                             filter: ResizeFilter = .antialiased) -> Image {
        let scale = min(Double(maxWidth) / Double(max(1, width)), Double(maxHeight) / Double(max(1, height)))
        let w = max(1, Int((Double(width) * scale).rounded()))
        let h = max(1, Int((Double(height) * scale).rounded()))
        return resized(width: w, height: h, filter: filter)
    }
}

/// Rounds and clamps a filtered value to a byte.
@inline(__always) private func toByte(_ v: Float) -> UInt8 { UInt8(max(0, min(255, v + 0.5))) }

/// One row of the horizontal pass, with the channel loop unrolled for 1, 3 and 4 channels.
private func horizontalPass(_ row: UnsafePointer<Float>, _ out: UnsafeMutablePointer<UInt8>,
                            outWidth: Int, channels c: Int, taps: ResampleTaps) {
    taps.weights.withUnsafeBufferPointer { weights in
        for x in 0..<outWidth {
            let n = Int(taps.count[x])
            let w = weights.baseAddress! + x * taps.maxTaps
            var p = row + Int(taps.first[x]) * c
            let o = out + x * c
            switch c {
            case 3:
                var a0: Float = 0, a1: Float = 0, a2: Float = 0
                for k in 0..<n {
                    a0 += w[k] * p[0]; a1 += w[k] * p[1]; a2 += w[k] * p[2]
                    p += 3
                }
                o[0] = toByte(a0); o[1] = toByte(a1); o[2] = toByte(a2)
            case 4:
                var a = SIMD4<Float>()
                for k in 0..<n {
                    a += w[k] * SIMD4(p[0], p[1], p[2], p[3])
                    p += 4
                }
                o[0] = toByte(a[0]); o[1] = toByte(a[1]); o[2] = toByte(a[2]); o[3] = toByte(a[3])
            default:
                for ch in 0..<c {
                    var a: Float = 0
                    for k in 0..<n { a += w[k] * p[k * c + ch] }
                    o[ch] = toByte(a)
                }
            }
        }
    }
}
