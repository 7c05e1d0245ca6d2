/// The photo sizes inspection accepts, as Lookout for Vision does: 64 to 4096 pixels a side.
/// `inspect images check`, training and scoring all apply this one rule, so a photo that
/// passes the check is one the model can take.
public enum PhotoSizeLimits {
    public static let smallestSide = 64, largestSide = 4096

    /// The error for an upright `width` x `height` photo from `source`, or nil when it is accepted.
    public static func check(width: Int, height: Int, source: String) -> ImagingError? {
        if width > largestSide || height > largestSide {
            return ImagingError(source: source, kind: .unsupportedSize,
                                reason: "\(width)x\(height) is larger than \(largestSide)x\(largestSide)")
        }
        if width < smallestSide || height < smallestSide {
            return ImagingError(source: source, kind: .unsupportedSize,
                                reason: "\(width)x\(height) is smaller than \(smallestSide)x\(smallestSide)")
        }
        return nil
    }
}
