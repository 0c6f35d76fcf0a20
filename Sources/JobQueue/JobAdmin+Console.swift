/// Read models for the web console: what it shows about the queue beyond `list`, `counts` and `job`.
extension JobAdmin {
    /// Jobs completed in each of the last `minutes` minutes, oldest minute first (a sparkline's points).
    public func completedPerMinute(minutes: Int = 60) async throws -> [Int] {
        let rows = try await pool.query(
            """
            SELECT floor(extract(epoch FROM now() - finalized_at) / 60)::int, count(*)::bigint FROM jobs
            WHERE state = 'completed' AND finalized_at > now() - make_interval(mins => $1::int)
            GROUP BY 1
            """, [minutes])
        var counts = Array(repeating: 0, count: minutes)
        for row in rows {
            let minutesAgo: Int = try row.decode(at: 0)
            if (0..<minutes).contains(minutesAgo) { counts[minutes - 1 - minutesAgo] = try row.decode(at: 1) }
        }
        return counts
    }

    /// The queues an operator has paused, including queues that hold no jobs at the moment.
    public func pausedQueues() async throws -> Set<String> {
        Set(
            try await pool.query("SELECT name FROM job_queues WHERE paused_at IS NOT NULL").map {
                try $0.decode(String.self, at: 0)
            })
    }
}
