/// The body of every documented 4xx: `{"message": "..."}`; a few newer endpoints add `code`.
public struct MetronomeErrorBody: Decodable, Hashable, Sendable {
    public let message: String?
    public let code: String?

    public init(message: String?, code: String? = nil) {
        self.message = message
        self.code = code
    }
}
