// Decode + resize throughput of the Imaging layer, for tools/bench/bench-imaging.sh.
// Usage: bench-imaging FOLDER [--size 224] [--threads N] [--seconds S]
// Prints one line: "ours threads=N images=K seconds=T images_per_s=R".
import Foundation
import Imaging
import WorkerThreads

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: Double) -> Double {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Double(arguments[i + 1]) else { return fallback }
    return v
}
let size = Int(option("--size", 224))
let threads = Int(option("--threads", 1))
let minimumSeconds = option("--seconds", 3)
guard let folder = arguments.first, !folder.hasPrefix("--") else {
    FileHandle.standardError.write(Data("usage: bench-imaging FOLDER [--size 224] [--threads N] [--seconds S]\n".utf8))
    exit(2)
}
let files = ImageFileScanner.scan([folder]).images
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("error: no images under \(folder)\n".utf8))
    exit(2)
}

/// One pass: read, decode, convert to RGB and resize every file.
func pass() -> Int {
    let sizes = WorkerPool.shared.map(count: files.count, maxThreads: threads) { i -> Int in
        guard let image = try? Image(contentsOfFile: files[i], options: DecodeOptions(minimumSize: (size, size))) else { return 0 }
        let rgb = image.converted(to: .rgb).resized(width: size, height: size, filter: .antialiased)
        return rgb.width
    }
    return sizes.filter { $0 == size }.count
}

_ = pass()  // warm the file cache and the allocator
var images = 0
let start = Date()
while Date().timeIntervalSince(start) < minimumSeconds { images += pass() }
let seconds = Date().timeIntervalSince(start)
print("ours threads=\(threads) images=\(images) seconds=\(String(format: "%.3f", seconds)) images_per_s=\(String(format: "%.1f", Double(images) / seconds))")
