import Synchronization

/// Draws the faults for each request from one seeded generator.
final class FaultInjector: Sendable {
    let configuration: FaultConfiguration
    private let random: Mutex<SeededGenerator>

    init(configuration: FaultConfiguration) {
        self.configuration = configuration
        self.random = Mutex(SeededGenerator(seed: configuration.seed))
    }

    /// What happens to one request, decided before it is handled.
    struct Draw: Sendable {
        var slow = false
        var fault: InjectedFault?
    }

    func draw() -> Draw {
        let configuration = self.configuration
        guard !configuration.isQuiet else { return Draw() }
        return random.withLock { random in
            var draw = Draw()
            draw.slow = random.unit() < configuration.slowRate
            if random.unit() < configuration.dropRate {
                draw.fault = .dropConnection
            } else if configuration.rateLimitedRate > 0, random.unit() < configuration.rateLimitedRate {
                let modes: [RetryAfterMode] = [.seconds, .httpDate, .off]
                draw.fault = .rateLimited(modes[random.int(in: 0...(modes.count - 1))])
            } else if random.unit() < configuration.serverErrorRate {
                let statuses = [500, 502, 503]
                draw.fault = .serverError(status: statuses[random.int(in: 0...2)], htmlBody: random.unit() < 0.5)
            } else if random.unit() < configuration.malformedRate {
                let kinds = InjectedFault.MalformedBody.allCases
                draw.fault = .malformed(kinds[random.int(in: 0...(kinds.count - 1))])
            }
            return draw
        }
    }

    /// Whether this page's `next_page` is replaced by the cursor it was requested with.
    func drawRepeatCursor() -> Bool {
        guard configuration.repeatCursorRate > 0 else { return false }
        return random.withLock { $0.unit() < configuration.repeatCursorRate }
    }

    /// Whether this list page is replaced by an empty page that still carries a cursor.
    func drawEmptyPage() -> Bool {
        guard configuration.emptyPageRate > 0 else { return false }
        return random.withLock { $0.unit() < configuration.emptyPageRate }
    }
}
