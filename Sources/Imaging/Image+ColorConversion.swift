extension Image {
    /// The image in another pixel format.
    /// - Grey to colour replicates the grey value.
    /// - Colour to grey uses ITU-R BT.601 luma, L = 0.299 R + 0.587 G + 0.114 B (rounded),
    ///   as Pillow's convert("L") does.
    /// - Dropping alpha composites over `background` (white by default): out = a*c + (1-a)*bg.
    /// - Adding alpha makes every pixel opaque.
    public func converted(to target: PixelFormat, background: UInt8 = 255) -> Image {
        if target == format { return self }
        let n = width * height
        let sc = channels, tc = target.channels
        var out = [UInt8](repeating: 0, count: n * tc)
        let bg = UInt32(background)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let s = i * sc
                    // Colour and alpha of the source pixel.
                    var r: UInt32, g: UInt32, b: UInt32
                    if format == .gray || format == .grayAlpha {
                        r = UInt32(src[s]); g = r; b = r
                    } else {
                        r = UInt32(src[s]); g = UInt32(src[s + 1]); b = UInt32(src[s + 2])
                    }
                    let a: UInt32 = format.hasAlpha ? UInt32(src[s + sc - 1]) : 255
                    if !target.hasAlpha && a != 255 {
                        // Composite over the background, rounding to nearest.
                        r = (r * a + bg * (255 - a) + 127) / 255
                        g = (g * a + bg * (255 - a) + 127) / 255
                        b = (b * a + bg * (255 - a) + 127) / 255
                    }
                    let d = i * tc
                    switch target {
                    case .gray, .grayAlpha:
                        // 0.299, 0.587, 0.114 in 16-bit fixed point (sum 65536), rounded.
                        dst[d] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
                    case .rgb, .rgba:
                        dst[d] = UInt8(r); dst[d + 1] = UInt8(g); dst[d + 2] = UInt8(b)
                    }
                    if target.hasAlpha { dst[d + tc - 1] = UInt8(a) }
                }
            }
        }
        return Image(width: width, height: height, format: target, pixels: out)
    }
}
