// imaging-robustness FILE... [--rounds N] [--seed S]
// Runs DecoderTorture over the files and exits 1 on any defect. tools/test.sh runs it under
// AddressSanitizer and LeakSanitizer, which fail the run on a leak or a bad memory access.
import Foundation
import Imaging

let arguments = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> UInt64? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return UInt64(arguments[i + 1])
}
let rounds = Int(option("--rounds") ?? 500)
let seed = option("--seed") ?? 0x5EED
var files: [String] = []
var skipNext = false
for argument in arguments {
    if skipNext { skipNext = false; continue }
    if argument.hasPrefix("--") { skipNext = true; continue }
    files.append(argument)
}
guard !files.isEmpty else {
    FileHandle.standardError.write(Data("usage: imaging-robustness FILE... [--rounds N] [--seed S]\n".utf8))
    exit(2)
}
var defects: [String] = []
for file in files {
    do {
        let bytes = try FileBytes.read(file)
        let name = (file as NSString).lastPathComponent
        let cut = DecoderTorture.prefixes(of: bytes, name: name)
        let mutated = DecoderTorture.mutations(of: bytes, name: name, rounds: rounds, seed: seed)
        defects += cut.defects + mutated.defects
        print("\(name): \(cut.attempts) prefixes (\(cut.decoded) decoded), \(mutated.attempts) mutations (\(mutated.failed) refused)")
    } catch {
        defects.append("\(error)")
    }
}
for defect in defects { print("DEFECT: \(defect)") }
exit(defects.isEmpty ? 0 : 1)
