import Hummingbird

/// Reads query parameters the way Metronome validates them. Arrays are accepted both comma-joined
/// (what the SDKs send) and as repeated keys (the OpenAPI default).
struct QueryReader {
    let parameters: Hummingbird.Parameters

    init(_ request: Request) {
        self.parameters = request.uri.queryParameters
    }

    func has(_ name: String) -> Bool { parameters.has(Substring(name)) }

    func string(_ name: String) -> String? {
        parameters[Substring(name)].map(String.init)
    }

    /// Nil when absent.
    func list(_ name: String) -> [String]? {
        let values = parameters[values: Substring(name)]
        guard !values.isEmpty else { return nil }
        return values.flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }

    func bool(_ name: String) throws(APIError) -> Bool? {
        guard let text = string(name) else { return nil }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .badRequest("\(name) must be true or false")
        }
    }

    /// `limit`: an integer 1–100 ("For performance reasons, limit is capped at 100").
    func limit(default defaultValue: Int) throws(APIError) -> Int {
        guard let text = string("limit") else { return defaultValue }
        guard let value = Int(text), (1...100).contains(value) else {
            throw .badRequest("limit must be an integer between 1 and 100")
        }
        return value
    }

    /// A list of UUIDs, at most `max`.
    func uuids(_ name: String, max: Int) throws(APIError) -> [String]? {
        guard let values = list(name) else { return nil }
        guard values.count <= max else { throw .badRequest("\(name) accepts at most \(max) values") }
        for value in values where !UUIDText.isValid(value) {
            throw .badRequest("\(name) must contain valid UUIDs")
        }
        return values.map { $0.lowercased() }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
