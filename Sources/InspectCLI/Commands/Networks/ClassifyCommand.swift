import ArgumentParser
import Foundation
import Imaging
import Inspection
import Networks

/// `inspect classify PHOTO...`: the stored feature extractor as an ImageNet classifier.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Top ImageNet labels of photos with the stored EfficientNet-Lite0 (Models/efficientnet-lite0.safetensors).",
        discussion: "An unreadable photo gets an error line and exit status 1; the others are still classified.")

    @Argument(help: "Image files (PNG or JPEG).") var photos: [String]
    @Option(help: "How many labels to print per photo.") var top = 5
    @Option(help: "center: shorter side to 256 then the central 224x224 (ImageNet evaluation); full: the whole photo squeezed to 224x224.")
    var framing: String = "center"
    @OptionGroup var models: ModelsOption
    @Flag(help: "Print one JSON object per photo.") var json = false

    func validate() throws {
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        guard ["center", "full"].contains(framing) else { throw ValidationError("--framing must be center or full") }
    }

    func run() throws {
        let directory = try models.directory()
        let network = try EfficientNetLite0.load(from: directory)
        let labels = try ImageNetLabels(contentsOf: directory.appendingPathComponent(network.card?.labelsFile ?? "imagenet-labels.txt").path)
        let mode: EfficientNetLite0Framing = framing == "full" ? .fullFrame : .centerCrop
        var failed = 0
        // Small batches: bounded memory for long lists, still several images per pass.
        for start in stride(from: 0, to: photos.count, by: 8) {
            var images: [Image] = [], names: [String] = []
            for path in photos[start..<min(start + 8, photos.count)] {
                do {
                    images.append(try Image(contentsOfFile: path))
                    names.append(path)
                } catch {
                    failed += 1
                    if json {
                        print(jsonLine(["Source": path, "Error": "\(error)"]))
                    } else {
                        printError("\(error)")
                    }
                }
            }
            if images.isEmpty { continue }
            let results = labels.top(top, of: network.logits(network.inputBatch(images, framing: mode)))
            for (path, predictions) in zip(names, results) {
                if json {
                    print(jsonLine(["Source": path, "Labels": predictions.map {
                        ["Index": $0.index, "Name": $0.label, "Confidence": Double($0.probability) * 100] as [String: Any]
                    }]))
                } else {
                    print(path)
                    printAligned(predictions.map { ["  " + String(format: "%6.2f%%", Double($0.probability) * 100), $0.label, "(\($0.index))"] },
                                 rightAligned: [0])
                }
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }
}
