/// The `window_size` of an invoice breakdown query: a page holds up to 35 daily or 24 hourly windows.
public enum BreakdownWindowSize: String, Hashable, Sendable {
    case day = "DAY"
    case hour = "HOUR"
}
