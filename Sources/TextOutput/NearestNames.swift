/// The names closest to one that was not found, for "did you mean": the same name in another case
/// first, then names that contain it or that it contains, then names a few typos away.
public enum NearestNames {
    public static func to(_ wanted: String, among names: [String], limit: Int = 3) -> [String] {
        let target = wanted.lowercased()
        guard !target.isEmpty else { return [] }
        var scored: [(score: Int, name: String)] = []
        for name in Set(names) where name != wanted {
            let candidate = name.lowercased()
            if candidate == target {
                scored.append((0, name))
            } else if candidate.contains(target) || target.contains(candidate) {
                scored.append((1 + abs(candidate.count - target.count), name))
            } else {
                let distance = editDistance(target, candidate)
                if distance <= max(2, target.count / 3) { scored.append((100 + distance, name)) }
            }
        }
        return scored.sorted { ($0.score, $0.name) < ($1.score, $1.name) }.prefix(limit).map(\.name)
    }

    /// `"a"`, `"a" or "b"`, `"a", "b" or "c"`.
    public static func listed(_ names: [String]) -> String {
        let quoted = names.map { "\"\($0)\"" }
        return quoted.count <= 1 ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }

    /// `; did you mean "CPU hours" or "CPU hours (staging)"?`, or nothing when there are no names.
    public static func didYouMean(_ names: [String]) -> String {
        names.isEmpty ? "" : "; did you mean \(listed(names))?"
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
