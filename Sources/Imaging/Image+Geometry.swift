// Pixel-exact geometry: flips, quarter turns, crop and pad. No resampling here.

extension Image {
    /// Every flip and quarter turn is a walk over the source with fixed steps:
    /// output (x, y) reads source pixel `origin + x * stepX + y * stepY` (in pixels).
    private func remapped(width outWidth: Int, height outHeight: Int,
                          origin: Int, stepX: Int, stepY: Int) -> Image {
        let c = channels
        let count = outWidth * outHeight * c
        // In 64 x 64-pixel tiles: a quarter turn reads a source column for each output row,
        // and a tile keeps those source rows in cache (row by row, each pixel missed).
        let tile = 64
        let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(buffer)
            pixels.withUnsafeBufferPointer { source in
                guard let src = source.baseAddress, let dst = buffer.baseAddress else { return }
                for ty in stride(from: 0, to: outHeight, by: tile) {
                    for tx in stride(from: 0, to: outWidth, by: tile) {
                        let xEnd = min(tx + tile, outWidth)
                        for y in ty..<min(ty + tile, outHeight) {
                            var s = origin + y * stepY + tx * stepX
                            var o = (y * outWidth + tx) * c
                            switch c {
                            case 3:
                                for _ in tx..<xEnd {
                                    dst[o] = src[3 * s]; dst[o + 1] = src[3 * s + 1]; dst[o + 2] = src[3 * s + 2]
                                    o += 3
                                    s += stepX
                                }
                            case 1:
                                for _ in tx..<xEnd {
                                    dst[o] = src[s]
                                    o += 1
                                    s += stepX
                                }
                            default:
                                for _ in tx..<xEnd {
                                    for k in 0..<c { dst[o + k] = src[s * c + k] }
                                    o += c
                                    s += stepX
                                }
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Image(width: outWidth, height: outHeight, format: format, pixels: out)
    }

    public func flippedHorizontally() -> Image {
        remapped(width: width, height: height, origin: width - 1, stepX: -1, stepY: width)
    }

    public func flippedVertically() -> Image {
        remapped(width: width, height: height, origin: (height - 1) * width, stepX: 1, stepY: -width)
    }

    public func rotated180() -> Image {
        remapped(width: width, height: height, origin: width * height - 1, stepX: -1, stepY: -width)
    }

    /// Mirror across the main diagonal: output (x, y) = source (y, x).
    public func transposed() -> Image {
        remapped(width: height, height: width, origin: 0, stepX: width, stepY: 1)
    }

    /// Mirror across the anti-diagonal: output (x, y) = source (W-1-y, H-1-x).
    public func transversed() -> Image {
        remapped(width: height, height: width, origin: width * height - 1, stepX: -width, stepY: -1)
    }

    /// A quarter turn clockwise: output (x, y) = source (y, H-1-x).
    public func rotatedClockwise() -> Image {
        remapped(width: height, height: width, origin: (height - 1) * width, stepX: -width, stepY: 1)
    }

    /// A quarter turn counterclockwise: output (x, y) = source (W-1-y, x).
    public func rotatedCounterclockwise() -> Image {
        remapped(width: height, height: width, origin: width - 1, stepX: width, stepY: -1)
    }

    /// The part of the image inside the rectangle, intersected with the image bounds (so a
    /// box that runs off the edge, such as a face near the border, gives the visible part).
    /// An empty intersection gives a 0x0 image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + max(0, cropWidth)), y1 = min(height, y + max(0, cropHeight))
        guard x1 > x0, y1 > y0 else { return Image(width: 0, height: 0, format: format, pixels: []) }
        let c = channels
        let rowBytes = (x1 - x0) * c
        var out = [UInt8](repeating: 0, count: rowBytes * (y1 - y0))
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for row in y0..<y1 {
                    let s = (row * width + x0) * c
                    let d = (row - y0) * rowBytes
                    dst.baseAddress!.advanced(by: d).update(from: src.baseAddress!.advanced(by: s), count: rowBytes)
                }
            }
        }
        return Image(width: x1 - x0, height: y1 - y0, format: format, pixels: out)
    }

    /// The image with borders of the given widths filled with one colour (per channel).
    public func padded(top: Int, left: Int, bottom: Int, right: Int, fill: [UInt8]) -> Image {
        precondition(top >= 0 && left >= 0 && bottom >= 0 && right >= 0, "padding must not be negative")
        var out = Image(width: width + left + right, height: height + top + bottom, format: format, fill: fill)
        let c = channels
        let rowBytes = width * c
        guard rowBytes > 0 else { return out }
        pixels.withUnsafeBufferPointer { src in
            out.pixels.withUnsafeMutableBufferPointer { dst in
                for row in 0..<height {
                    let d = ((row + top) * out.width + left) * c
                    dst.baseAddress!.advanced(by: d).update(from: src.baseAddress!.advanced(by: row * rowBytes), count: rowBytes)
                }
            }
        }
        return out
    }

    /// Pads to at least the given size, keeping the image centred (extra pixel right/bottom).
    public func paddedCentered(toWidth targetWidth: Int, height targetHeight: Int, fill: [UInt8]) -> Image {
        let dx = max(0, targetWidth - width), dy = max(0, targetHeight - height)
        return padded(top: dy / 2, left: dx / 2, bottom: dy - dy / 2, right: dx - dx / 2, fill: fill)
    }
}
