import Foundation
import Imaging
import Networks
import Tensors

/// EfficientNet-Lite0 (ImageNet weights) as the patch-feature extractor: the stride-8 map
/// after stage 3 (40 channels) and the stride-16 map after stage 5 (112 channels); for the
/// supervised head, the stride-32 map after the last block and the network's head convolution.
public final class EfficientNetExtractor: FeatureExtractor {
    public static let backboneName = "efficientnet-lite0"
    public let name = EfficientNetExtractor.backboneName
    public let weightsSHA256: String
    public let normalization: ChannelNormalization
    public let sizeMultiple = 32
    private let network: EfficientNetLite0

    public init(network: EfficientNetLite0, weightsSHA256: String) {
        self.network = network
        self.weightsSHA256 = weightsSHA256
        let n = network.inputNormalization
        normalization = ChannelNormalization(mean: n.mean, std: n.std)
    }

    /// Loads the network and its card from a models directory; the sha256 is the card's.
    public static func load(modelsDirectory: String) throws(InspectionError) -> EfficientNetExtractor {
        do {
            let network = try EfficientNetLite0.load(from: URL(fileURLWithPath: modelsDirectory))
            guard let card = network.card else { throw InspectionError(modelsDirectory, "no card beside the EfficientNet-Lite0 weights") }
            return EfficientNetExtractor(network: network, weightsSHA256: card.weightsSHA256)
        } catch let error as InspectionError {
            throw error
        } catch {
            throw InspectionError(modelsDirectory, "cannot load EfficientNet-Lite0: \(error)")
        }
    }

    public func extract(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor) {
        let maps = network.features(batch, taps: [.stride8, .stride16])
        return (maps[0], maps[1])
    }

    /// The deep map is the last block's output (stride 32, 320 channels); the head fine-tunes
    /// the network's 320->1280 head convolution on it.
    public func extractWithDeep(_ batch: Tensor) -> (stride8: Tensor, stride16: Tensor, deep: Tensor) {
        let maps = network.features(batch, taps: [.stride8, .stride16, .stride32])
        return (maps[0], maps[1], maps[2])
    }

    /// The stride-4 map is stage 2's output (24 channels), taken in the same pass.
    public func extractWithStride4(_ batch: Tensor, deep: Bool) -> (stride4: Tensor, stride8: Tensor, stride16: Tensor, deep: Tensor?) {
        let maps = network.features(batch, taps: [.stride4, .stride8, .stride16] + (deep ? [.stride32] : []))
        return (maps[0], maps[1], maps[2], deep ? maps[3] : nil)
    }

    public var headStart: ConvBatchNorm? { network.parameters.head }
}

/// The feature extractors a model can be trained with, by name.
public enum Backbones {
    public static let names = [EfficientNetExtractor.backboneName, TextureStatisticsExtractor.extractorName]
    public static let defaultName = EfficientNetExtractor.backboneName

    /// The extractor called `name`; network weights come from `modelsDirectory`.
    public static func load(_ name: String, modelsDirectory: () throws -> String) throws(InspectionError) -> FeatureExtractor {
        switch name {
        case EfficientNetExtractor.backboneName:
            let directory: String
            do { directory = try modelsDirectory() } catch { throw InspectionError("", "\(error)") }
            return try EfficientNetExtractor.load(modelsDirectory: directory)
        case TextureStatisticsExtractor.extractorName:
            return TextureStatisticsExtractor()
        default:
            throw InspectionError(name, "unknown backbone (known: \(names.joined(separator: ", ")))")
        }
    }
}
