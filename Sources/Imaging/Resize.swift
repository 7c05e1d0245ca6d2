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
    /// The image resampled to a new size (separable: a horizontal then a vertical pass in
    /// Float, rounded once at the end).
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

        // Horizontal pass, only over the source rows the vertical pass will read.
        let rowLo = Int(vertical.first.first ?? 0)
        let rowHi = zip(vertical.first, vertical.count).map { Int($0 + $1) }.max() ?? height
        let midStride = outWidth * c
        var mid = [Float](repeating: 0, count: (rowHi - rowLo) * midStride)
        pixels.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                horizontal.weights.withUnsafeBufferPointer { w in
                    for row in rowLo..<rowHi {
                        let s = src.baseAddress! + row * width * c
                        let d = dst.baseAddress! + (row - rowLo) * midStride
                        for x in 0..<outWidth {
                            let f = Int(horizontal.first[x]), n = Int(horizontal.count[x])
                            let wx = w.baseAddress! + x * horizontal.maxTaps
                            for ch in 0..<c {
                                var acc: Float = 0
                                var p = s + f * c + ch
                                for k in 0..<n {
                                    acc += wx[k] * Float(p.pointee)
                                    p += c
                                }
                                d[x * c + ch] = acc
                            }
                        }
                    }
                }
            }
        }

        // Vertical pass over whole rows (contiguous, so the compiler vectorises it).
        var out = [UInt8](repeating: 0, count: outHeight * midStride)
        var acc = [Float](repeating: 0, count: midStride)
        mid.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                acc.withUnsafeMutableBufferPointer { a in
                    vertical.weights.withUnsafeBufferPointer { w in
                        for y in 0..<outHeight {
                            let f = Int(vertical.first[y]) - rowLo, n = Int(vertical.count[y])
                            a.update(repeating: 0)
                            for k in 0..<n {
                                let weight = w[y * vertical.maxTaps + k]
                                let s = src.baseAddress! + (f + k) * midStride
                                for i in 0..<midStride { a[i] += weight * s[i] }
                            }
                            let d = dst.baseAddress! + y * midStride
                            for i in 0..<midStride {
                                d[i] = UInt8(max(0, min(255, a[i] + 0.5)))
                            }
                        }
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
