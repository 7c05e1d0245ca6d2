import Foundation
import Imaging
import Inspection   // the photo framing (EfficientNetLite0.inputBatch) lives in Inspection
import ModelCards
import Testing
import Tensors
import TestSupport
@testable import Networks
import WorkerThreads

/// EfficientNet-Lite0 against the PyTorch reference (tools/models/make_effnet.py): logits and the
/// stride 8/16/32 feature maps of three sample photos.
@Suite("EfficientNet-Lite0", .serialized)
struct EfficientNetLite0Tests {
    static let fixtures = TestPaths.fixtures()
    static let models = TestPaths.models
    static let photos = ["chelsea", "coffee", "astronaut"]
    static let network = Result { try EfficientNetLite0.load(from: models) }
    static let reference = Result {
        try SafetensorsFile(contentsOf: fixtures.appendingPathComponent("efficientnet-lite0-reference.safetensors").path)
    }

    /// The photos framed as for classification (256x256 PNGs: the central 224 crop).
    static func batch(_ net: EfficientNetLite0, _ names: [String]) throws -> Tensor {
        let images = try names.map { try Image(contentsOfFile: fixtures.appendingPathComponent("\($0).png").path) }
        return net.inputBatch(images, framing: .centerCrop)
    }

    /// One image's slice of `ours` against the reference, within `fraction` of the reference's
    /// largest magnitude (activations and logits span a wide range; their largest sets the scale).
    static func expectClose(_ ours: Tensor, image: Int, _ expected: [Float], withinFractionOfLargest fraction: Double,
                            _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let per = ours.count / ours.shape[0]
        let slice = Array(UnsafeBufferPointer(start: ours.data + image * per, count: per))
        let scale = Double(expected.map(abs).max() ?? 0)
        TestSupport.expectClose(slice, expected.map(Double.init), absolute: fraction * scale, what, sourceLocation: sourceLocation)
    }

    @Test func logitsAndTopLabelsMatchPyTorch() throws {
        let net = try Self.network.get(), ref = try Self.reference.get()
        let labels = try ImageNetLabels(contentsOf: Self.models.appendingPathComponent("imagenet-labels.txt").path)
        let logits = net.logits(try Self.batch(net, Self.photos))
        #expect(logits.shape == [3, 1000])
        let top = labels.top(5, of: logits)
        for (i, name) in Self.photos.enumerated() {
            let expected = try ref.floats("\(name).logits", shape: [1000])
            Self.expectClose(logits, image: i, expected, withinFractionOfLargest: 1e-3, "\(name) logits")
            let referenceTop = expected.indices.max { expected[$0] < expected[$1] }
            #expect(top[i][0].index == referenceTop, "\(name): top-1 \(top[i][0].label)")
        }
        #expect(top[0][0].label == "tiger cat")
        #expect(top[1][0].label == "espresso")
        #expect(top[1][0].probability > 0.9)
    }

    @Test func stageFeatureMapsMatchPyTorch() throws {
        let net = try Self.network.get(), ref = try Self.reference.get()
        let taps: [EfficientNetLite0Tap] = [.stride8, .stride16, .stride32]
        let maps = net.features(try Self.batch(net, Self.photos), taps: taps)
        #expect(maps.map(\.shape) == [[3, 28, 28, 40], [3, 14, 14, 112], [3, 7, 7, 320]])
        for (tap, map) in zip(taps, maps) {
            for (i, name) in Self.photos.enumerated() {
                let expected = try ref.floats("\(name).\(tap.rawValue)", shape: Array(map.shape.dropFirst()))
                Self.expectClose(map, image: i, expected, withinFractionOfLargest: 1e-3, "\(name) \(tap)")
            }
        }
    }

    @Test func singleImageAndThreadCountsGiveTheSameResult() throws {
        let net = try Self.network.get(), ref = try Self.reference.get()
        let pool = WorkerPool.shared, saved = pool.threads
        defer { pool.threads = saved }
        let input = try Self.batch(net, ["coffee"])
        var outputs: [[Float]] = []
        for threads in [1, 2] {
            pool.threads = threads
            let result = net.run(input, taps: [.stride16, .head], classify: true)
            let logits = try #require(result.logits)
            Self.expectClose(logits, image: 0, try ref.floats("coffee.logits", shape: [1000]), withinFractionOfLargest: 1e-3,
                             "coffee logits on \(threads) thread(s)")
            #expect(result.features[.head]?.shape == [1, 7, 7, 1280])
            outputs.append(logits.scalars + (result.features[.stride16]?.scalars ?? []) + (result.features[.head]?.scalars ?? []))
        }
        // Bit for bit: with the layers split across 2 threads (rows, GEMM row or column tiles,
        // depthwise channel groups) every output element is still the same sum in the same order.
        #expect(outputs[0].count == 1000 + 14 * 14 * 112 + 7 * 7 * 1280)
        #expect(outputs[0] == outputs[1], "coffee logits and feature maps, 1 vs 2 threads")
    }

    /// Every tap of a batch holds each image's own map (the batch runs image-wise across the
    /// threads; a tap is a copy taken before the next block reuses the buffer).
    @Test func tapsOfABatchAreEachImagesOwnMaps() throws {
        let net = try Self.network.get()
        let taps: [EfficientNetLite0Tap] = [.stride4, .stride8, .stride16, .stride32]
        let batch = try Self.batch(net, Self.photos + Self.photos)
        let together = net.features(batch, taps: taps)
        for (i, name) in (Self.photos + Self.photos).enumerated() {
            let alone = net.features(try Self.batch(net, [name]), taps: taps)
            for (t, tap) in taps.enumerated() {
                let size = alone[t].count
                let slice = Array(UnsafeBufferPointer(start: together[t].data + i * size, count: size))
                #expect(slice == alone[t].scalars, "\(name) (image \(i)) at \(tap)")
                #expect(alone[t].scalars.allSatisfy { $0.isFinite && abs($0) < 1e4 }, "\(name) at \(tap)")
            }
        }
    }

    @Test func foldedNetworkKeepsTheTrainableParameters() throws {
        let net = try Self.network.get()
        let p = net.parameters
        #expect(p.blocks.count == 16)
        #expect(p.blocks[0].expand == nil && p.blocks[1].expand?.weight.shape == [1, 1, 16, 96])
        #expect(p.blocks[3].depthwise.weight.shape == [5, 5, 1, 144])
        // Folding BN changes the weights; the unfolded running variance stays positive.
        #expect(p.blocks.allSatisfy { $0.project.batchNorm.variance.scalars.allSatisfy { $0 > 0 } })
        #expect(net.blocks[0].depthwise.weight.scalars != p.blocks[0].depthwise.weight.scalars)
    }

    @Test func cardAndLabelsLoad() throws {
        let card = try EfficientNetLite0Card(contentsOf: Self.models.appendingPathComponent(EfficientNetLite0Card.fileName).path)
        #expect(card.license == "Apache-2.0")
        #expect(card.normalization.mean.allSatisfy { abs($0 * 255 - 127) < 1e-3 })
        #expect(card.normalization.std.allSatisfy { abs($0 * 255 - 128) < 1e-3 })
        #expect(card.weightsSHA256.count == 64)
        let missing = Self.fixtures.appendingPathComponent("no-such-card.json").path
        #expect(throws: ModelCardError.self) { try EfficientNetLite0Card(contentsOf: missing) }
        // A broken copy of the card is refused naming the file and the field.
        let text = try String(contentsOf: Self.models.appendingPathComponent(EfficientNetLite0Card.fileName), encoding: .utf8)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("effnet-card-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: broken) }
        try text.replacingOccurrences(of: #""resizeShorterSide""#, with: #""shorterSide""#).write(to: broken, atomically: true, encoding: .utf8)
        let error = #expect(throws: ModelCardError.self) { try EfficientNetLite0Card(contentsOf: broken.path) }
        #expect(error?.description == "\(broken.path): field input.evaluationFraming.resizeShorterSide: missing")
        #expect(throws: SafetensorsError.self) {
            try EfficientNetLite0Parameters(contentsOf: Self.fixtures.appendingPathComponent("reference.safetensors").path)
        }
    }
}
