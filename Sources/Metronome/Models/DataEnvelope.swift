/// The wire shape of single-object responses: `{"data": {...}}`.
struct DataEnvelope<Item: Decodable & Sendable>: Decodable, Sendable {
    let data: Item
}
