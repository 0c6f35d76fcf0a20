/// The commit or credit a line item applies (`{id, type: PREPAID|POSTPAID|CREDIT}`).
public struct AppliedCommitOrCredit: Decodable, Hashable, Sendable {
    public let id: String?
    /// Upper-cased.
    public let type: String?

    public init(id: String?, type: String?) {
        self.id = id
        self.type = type?.uppercased()
    }

    enum CodingKeys: String, CodingKey { case id, type }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decodeIfPresent(String.self, forKey: .id),
            type: try container.decodeIfPresent(String.self, forKey: .type)
        )
    }
}
