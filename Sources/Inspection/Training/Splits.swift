import SeededRandom

/// Seeded, stratified index splits: hold-out sets and cross-validation folds keep the share
/// of anomalous images of the whole set (each class is shuffled and cut separately).
public enum Splits {
    /// Splits indices 0..<labels.count into (train, heldOut), holding back `fraction` of
    /// each class (at least one image of a class with two or more, never all of one).
    public static func holdOut(labels: [Bool], fraction: Double, seed: UInt64) -> (train: [Int], heldOut: [Int]) {
        var rng = SeededGenerator(seed: seed)
        var train: [Int] = [], heldOut: [Int] = []
        for cls in [false, true] {
            var members = labels.indices.filter { labels[$0] == cls }
            members.shuffle(using: &rng)
            let count = members.count < 2 ? 0 : min(members.count - 1, max(1, Int((Double(members.count) * fraction).rounded())))
            heldOut += members.prefix(count)
            train += members.dropFirst(count)
        }
        return (train.sorted(), heldOut.sorted())
    }

    /// Assigns each index to one of `folds` folds, class by class, so every fold gets its
    /// share of each class. Returns the fold number of each index.
    public static func folds(labels: [Bool], folds: Int, seed: UInt64) -> [Int] {
        var rng = SeededGenerator(seed: seed)
        var assignment = [Int](repeating: 0, count: labels.count)
        var next = 0
        for cls in [false, true] {
            var members = labels.indices.filter { labels[$0] == cls }
            members.shuffle(using: &rng)
            for index in members {
                assignment[index] = next % folds
                next += 1
            }
        }
        return assignment
    }
}
