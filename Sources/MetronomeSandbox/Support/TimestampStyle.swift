/// The RFC 3339 spellings the sandbox mixes into responses when asked to.
public enum TimestampStyle: Int, CaseIterable, Sendable {
    /// `2021-01-01T00:00:00Z` (the default and the OAS examples' form)
    case zulu
    /// `2024-01-01T00:00:00.000Z`
    case millisecondsZulu
    /// `2024-10-01T00:00:00+00:00`
    case zeroOffset
    /// `2024-01-01T00:00:00.000000Z`
    case microsecondsZulu
    /// The same instant written at `+01:00`: legal RFC 3339 that a client must normalize.
    case plusOneHour
}
