/// How the bytes of one pixel are laid out; every channel is 8 bits.
public enum PixelFormat: Int, Sendable, Equatable, CaseIterable {
    case gray = 1
    case grayAlpha = 2
    case rgb = 3
    case rgba = 4

    public var channels: Int { rawValue }
    public var hasAlpha: Bool { self == .grayAlpha || self == .rgba }

    init?(channels: Int) { self.init(rawValue: channels) }
}

/// An 8-bit image in memory: rows top to bottom, pixels left to right, channels interleaved
/// (row stride = width * channels).
public struct Image: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    public var pixels: [UInt8]

    public var channels: Int { format.channels }

    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0, "image dimensions must not be negative")
        precondition(pixels.count == width * height * format.channels,
                     "expected \(width * height * format.channels) bytes for \(width)x\(height) \(format), got \(pixels.count)")
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }

    /// An image filled with one colour (given per channel).
    public init(width: Int, height: Int, format: PixelFormat, fill: [UInt8]) {
        precondition(fill.count == format.channels, "fill needs \(format.channels) values")
        var pixels = [UInt8](repeating: 0, count: width * height * format.channels)
        if format.channels == 1 {
            pixels.withUnsafeMutableBufferPointer { $0.update(repeating: fill[0]) }
        } else {
            for i in stride(from: 0, to: pixels.count, by: format.channels) {
                for c in 0..<format.channels { pixels[i + c] = fill[c] }
            }
        }
        self.init(width: width, height: height, format: format, pixels: pixels)
    }

    /// The channel values of the pixel at (x, y).
    public func pixel(x: Int, y: Int) -> [UInt8] {
        let start = (y * width + x) * channels
        return Array(pixels[start..<start + channels])
    }
}
