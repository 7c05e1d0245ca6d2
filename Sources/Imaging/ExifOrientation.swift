/// The EXIF orientation tag (0x0112): how a stored image must be turned to be seen upright.
/// Phone cameras store pixels in sensor order and record the rotation here, so a selfie
/// decoded without it lies on its side.
///
/// Values (EXIF 2.3, table for tag 274): 1 upright, 2 mirrored horizontally, 3 rotated 180,
/// 4 mirrored vertically, 5 transposed (mirror + 90 CCW), 6 needs 90 CW, 7 transverse,
/// 8 needs 90 CCW.
public enum ExifOrientation {
    /// The orientation recorded in a JPEG's APP1 "Exif" segment or a PNG's eXIf chunk,
    /// or nil when there is none or it is malformed. Only the metadata before the image
    /// data is read; every offset is bounds-checked.
    public static func read(from bytes: UnsafeBufferPointer<UInt8>, format: ImageFormat) -> Int? {
        switch format {
        case .jpeg: return readJPEG(bytes)
        case .png: return readPNG(bytes)
        }
    }

    /// Walks the JPEG markers from SOI up to the first SOS, looking for APP1 "Exif\0\0".
    static func readJPEG(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 2  // after SOI
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xDA || marker == 0xD9 { return nil }  // image data or end: no EXIF
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = Int(b[i + 2]) << 8 | Int(b[i + 3])
            guard length >= 2, i + 2 + length <= b.count else { return nil }
            let payload = i + 4
            let payloadLength = length - 2
            if marker == 0xE1, payloadLength >= 14,
               Array(b[payload..<payload + 6]) == [0x45, 0x78, 0x69, 0x66, 0, 0] {  // "Exif\0\0"
                if let value = readTIFF(b, start: payload + 6, end: payload + payloadLength) { return value }
            }
            i += 2 + length
        }
        return nil
    }

    /// Walks the PNG chunks up to the first IDAT, looking for eXIf.
    static func readPNG(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 8
        while i + 8 <= b.count {
            let length = Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3])
            let type = Array(b[i + 4..<i + 8])
            let data = i + 8
            guard length >= 0, data + length <= b.count else { return nil }
            if type == Array("IDAT".utf8) { return nil }
            if type == Array("eXIf".utf8) {
                // Some writers keep the JPEG-style "Exif\0\0" prefix inside the chunk.
                var start = data
                if length >= 6, Array(b[data..<data + 6]) == [0x45, 0x78, 0x69, 0x66, 0, 0] { start += 6 }
                return readTIFF(b, start: start, end: data + length)
            }
            i = data + length + 4  // skip data and CRC
        }
        return nil
    }

    /// Reads tag 0x0112 from IFD0 of a TIFF structure occupying b[start..<end].
    static func readTIFF(_ b: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> Int? {
        guard end - start >= 8, end <= b.count else { return nil }
        let littleEndian: Bool
        switch (b[start], b[start + 1]) {
        case (0x49, 0x49): littleEndian = true   // "II"
        case (0x4D, 0x4D): littleEndian = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= start, at + 2 <= end else { return nil }
            return littleEndian ? Int(b[at]) | Int(b[at + 1]) << 8 : Int(b[at]) << 8 | Int(b[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(littleEndian ? at : at + 2), let high = u16(littleEndian ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard u16(start + 2) == 42, let ifdOffset = u32(start + 4) else { return nil }
        let ifd = start + ifdOffset
        guard let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            if tag == 0x0112 {
                guard u16(at + 2) == 3, let value = u16(at + 8), (1...8).contains(value) else { return nil }
                return value
            }
        }
        return nil
    }
}

extension Image {
    /// The image as it should be seen, given its EXIF orientation (1-8; others are ignored).
    public func applyingOrientation(_ orientation: Int) -> Image {
        switch orientation {
        case 2: return flippedHorizontally()
        case 3: return rotated180()
        case 4: return flippedVertically()
        case 5: return transposed()
        case 6: return rotatedClockwise()
        case 7: return transversed()
        case 8: return rotatedCounterclockwise()
        default: return self
        }
    }
}
