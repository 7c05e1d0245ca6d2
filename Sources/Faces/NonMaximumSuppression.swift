/// How two boxes' overlap is measured for non-maximum suppression.
enum OverlapMeasure {
    /// Intersection over union.
    case union
    /// Intersection over the smaller box (MTCNN's last stage: drops boxes nested in others).
    case minimum
}

/// Greedy non-maximum suppression: visits boxes by decreasing score and keeps one unless it
/// overlaps an already kept box by more than `threshold`. Returns the kept indices, best first.
/// Boxes are (x1, y1, x2, y2) with exclusive far edges.
func nonMaximumSuppression(_ boxes: [(x1: Double, y1: Double, x2: Double, y2: Double)], scores: [Float],
                           threshold: Double, measure: OverlapMeasure) -> [Int] {
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var kept: [Int] = []
    func area(_ b: (x1: Double, y1: Double, x2: Double, y2: Double)) -> Double { max(0, b.x2 - b.x1) * max(0, b.y2 - b.y1) }
    for i in order {
        let b = boxes[i]
        let overlaps = kept.contains { j in
            let k = boxes[j]
            let inter = max(0, min(b.x2, k.x2) - max(b.x1, k.x1)) * max(0, min(b.y2, k.y2) - max(b.y1, k.y1))
            let denominator = measure == .union ? area(b) + area(k) - inter : min(area(b), area(k))
            return denominator > 0 && inter / denominator > threshold
        }
        if !overlaps { kept.append(i) }
    }
    return kept
}
