import ArgumentParser
import Foundation
import Inspection

/// `inspect demo-data DIR`: a generated good/bad image set to try the main job end to end.
struct DemoDataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Write generated product photos (textured surfaces, some with scratches or spots) to try training and scoring.",
        discussion: """
            Writes DIR/train/{good,bad,masks} and DIR/test/{good,bad,masks} as PNG files, the masks \
            coloured by defect type (scratch #FF0000, spot #0080FF), and in each of train/ and test/ a \
            Lookout manifest.jsonl with the colour map and mask-colors.json. Same seed, same images. \
            Then: inspect train DIR/train/good DIR/train/bad --name demo (or --manifest \
            DIR/train/manifest.jsonl to learn segmentation too); inspect score DIR/test --model demo.
            """
    )

    @Argument(help: "Output folder.")
    var directory: String

    @Option(help: "Good training images.") var good = 20
    @Option(help: "Anomalous training images.") var bad = 10
    @Option(name: .customLong("test-good"), help: "Good test images.") var testGood = 20
    @Option(name: .customLong("test-bad"), help: "Anomalous test images.") var testBad = 20
    @Option(help: "Image width.") var width = 320
    @Option(help: "Image height.") var height = 240
    @Option(help: "Seed.") var seed: UInt64 = 1

    func validate() throws {
        guard good >= 3 else { throw ValidationError("--good must be at least 3 (training needs 3 good images)") }
        guard bad >= 0, testGood >= 0, testBad >= 0 else { throw ValidationError("counts cannot be negative") }
        guard (64...4096).contains(width), (64...4096).contains(height) else { throw ValidationError("sizes must be 64 to 4096") }
    }

    func run() throws {
        do {
            let train = try SyntheticSurfaces.writeDataset(to: directory + "/train", good: good, defective: bad, width: width, height: height, seed: seed,
                                                           coloredMasks: true)
            let test = try SyntheticSurfaces.writeDataset(to: directory + "/test", good: testGood, defective: testBad, width: width, height: height, seed: seed &+ 1,
                                                          coloredMasks: true)
            print("Wrote \(good) good and \(bad) anomalous training images to \(train.good), \(train.bad) (masks in \(train.masks))")
            print("Wrote \(testGood) good and \(testBad) anomalous test images to \(test.good), \(test.bad) (masks in \(test.masks))")
            print("Masks are coloured by type (scratch #FF0000, spot #0080FF); manifests with the colour map: "
                  + "\(directory)/train/manifest.jsonl, \(directory)/test/manifest.jsonl")
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }
}
