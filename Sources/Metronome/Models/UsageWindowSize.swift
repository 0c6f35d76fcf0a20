/// The `window_size` of a usage or breakdown query. Sent upper case, as the SDK types do.
public enum UsageWindowSize: String, Hashable, Sendable, Codable {
    case hour = "HOUR"
    case day = "DAY"
    /// One aggregate for the whole range (usage only).
    case none = "NONE"

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = UsageWindowSize(rawValue: text.uppercased()) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "Unknown window size")
            )
        }
        self = value
    }
}
