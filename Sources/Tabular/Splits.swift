import Foundation
import SeededRandom

public enum Splits {
    /// A seeded random split (Amazon ML's wizard: 70% to train, 30% to evaluate).
    public static func trainTest(count: Int, trainFraction: Double = 0.7, seed: UInt64) -> (train: [Int], test: [Int]) {
        var rng = SeededGenerator(seed: seed)
        let order = Array(0..<count).shuffled(using: &rng)
        let cut = Int((Double(count) * trainFraction).rounded())
        return (Array(order[..<cut]).sorted(), Array(order[cut...]).sorted())
    }

    /// Stratified k-fold: the fold (0..<k) of each row, each class dealt round-robin after a shuffle.
    public static func kFold(labels: [Int], folds k: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        var next = 0
        for cls in [0, 1] {
            for i in labels.indices.filter({ labels[$0] == cls }).shuffled(using: &rng) {
                fold[i] = next % k
                next += 1
            }
        }
        return fold
    }

    /// Stratified holdout of about `fraction` of the rows.
    public static func stratifiedHoldout(labels: [Int], fraction: Double, seed: UInt64) -> (train: [Int], holdout: [Int]) {
        let k = Swift.max(2, Int((1 / fraction).rounded()))
        let f = kFold(labels: labels, folds: k, seed: seed)
        return (labels.indices.filter { f[$0] != 0 }, labels.indices.filter { f[$0] == 0 })
    }
}
