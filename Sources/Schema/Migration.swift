/// One numbered SQL migration from `sql/migrations/NNNN_name.sql`.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A stable fingerprint of the SQL (FNV-1a, 64 bits) that detects an edited, already-applied file.
    /// Trailing whitespace is ignored so editors cannot cause false alarms.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let normalized = sql.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed() }
            .map { String($0) }
            .joined(separator: "\n")
            .trimmingTrailingNewlines()
        for byte in normalized.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
