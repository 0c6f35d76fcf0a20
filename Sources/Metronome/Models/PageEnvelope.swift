/// The wire shape of every list response: `{"data": [...], "next_page": "..." | null}`.
struct PageEnvelope<Item: Decodable & Sendable>: Decodable, Sendable {
    let data: [Item]
    let nextPage: String?

    enum CodingKeys: String, CodingKey {
        case data
        case nextPage = "next_page"
    }

    init(data: [Item], nextPage: String?) {
        self.data = data
        self.nextPage = nextPage
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // `data` is required: a body without it is not a page, and treating it as empty would
        // silently end a walk early.
        self.data = try container.decode([Item].self, forKey: .data)
        self.nextPage = try container.decodeIfPresent(String.self, forKey: .nextPage)
    }
}
