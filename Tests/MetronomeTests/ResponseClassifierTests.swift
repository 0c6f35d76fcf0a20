import Foundation
import Testing

@testable import Metronome

@Suite("Response classification", .timeLimit(.minutes(5)))
struct ResponseClassifierTests {
    let classifier = ResponseClassifier(endpoint: "GET /v1/customers", token: "sk_live_SECRET")

    @Test(
        "statuses map to the taxonomy",
        arguments: [
            (400, MetronomeError.Kind.badRequest), (401, .unauthorized), (403, .unauthorized), (404, .notFound),
            (408, .transient), (409, .transient), (422, .badRequest), (429, .rateLimited(retryAfter: nil)),
            (500, .transient), (502, .transient), (503, .transient), (504, .transient),
        ]
    )
    func statuses(status: Int, kind: MetronomeError.Kind) {
        let failure = classifier.failure(status: status, body: Array(#"{"message":"nope"}"#.utf8), serverDelay: nil)
        #expect(failure.error.kind == kind)
        #expect(failure.error.status == status)
        #expect(failure.error.detail == "nope")
    }

    @Test("a 429 carries the server's delay")
    func rateLimited() {
        let failure = classifier.failure(status: 429, body: [], serverDelay: .seconds(2))
        #expect(failure.error.kind == .rateLimited(retryAfter: .seconds(2)))
        #expect(failure.serverDelay == .seconds(2))
    }

    @Test("unparseable 2xx bodies are transient, well-formed wrong shapes are decoding errors")
    func decodingVersusTransient() {
        let decoder = MetronomeJSON.makeDecoder()
        for body in ["", "{\"data\":[{\"id\":", "<html>502</html>"] {
            do {
                _ = try decoder.decode(PageEnvelope<Customer>.self, from: Data(body.utf8))
                Issue.record("decoded \(body)")
            } catch {
                #expect(classifier.decodingFailure(error, status: 200, body: Array(body.utf8)).error.kind == .transient)
            }
        }
        let wrongShape = #"{"data":[{"name":"no id"}],"next_page":null}"#
        do {
            _ = try decoder.decode(PageEnvelope<Customer>.self, from: Data(wrongShape.utf8))
            Issue.record("decoded a customer without id")
        } catch {
            let failure = classifier.decodingFailure(error, status: 200, body: Array(wrongShape.utf8))
            #expect(failure.error.kind == .decoding)
            #expect(failure.error.detail.contains(".data[0].id"))
            #expect(failure.error.detail.contains("no id"))
        }
    }

    @Test("excerpts are short, flattened and never hold the token")
    func excerpts() {
        let echoed = "{\"message\":\"bad header Authorization: Bearer sk_live_SECRET\nretry\"}"
        let failure = classifier.failure(status: 400, body: Array(echoed.utf8), serverDelay: nil)
        #expect(!failure.error.description.contains("sk_live_SECRET"))
        #expect(failure.error.detail.contains("<redacted>"))
        #expect(!failure.error.detail.contains("\n"))
        let long = String(repeating: "x", count: 5000) + "sk_live_SECRET"
        let excerpt = ResponseExcerpt.make(Array(long.utf8), token: "sk_live_SECRET")
        #expect(excerpt.count <= ResponseExcerpt.maxCharacters + 1)
        // A token straddling the cut-off must not leak a prefix of itself either.
        let straddling = String(repeating: "y", count: ResponseExcerpt.maxCharacters * 4 - 3) + "sk_live_SECRET"
        #expect(!ResponseExcerpt.make(Array(straddling.utf8), token: "sk_live_SECRET").contains("sk_"))
    }

    /// A character can be far more than 4 bytes: an emoji family is 25, a letter with combining marks
    /// any number. Excerpts cut by bytes assumed at most 4 and leaked the start of a token.
    @Test("multi-scalar characters around a token never leak it", arguments: ["👨‍👩‍👧‍👦", "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}", "🏳️‍🌈"])
    func multiScalarCharacters(character: String) {
        let token = "sk_live_SECRET_TOKEN_1234567890"
        for count in [1, 10, 25, 26, 100, 159, 160, 161, 200, 3_000] {
            for filler in ["", "x", "xyz"] {
                let body = String(repeating: character, count: count) + filler + token + String(repeating: character, count: count)
                let excerpt = ResponseExcerpt.make(Array(body.utf8), token: token)
                #expect(!excerpt.contains("sk_live"), "\(count) × \(character) + \(filler.count): \(excerpt.suffix(40))")
                #expect(excerpt.count <= ResponseExcerpt.maxCharacters + 1)
            }
        }
        // Cut bytes that end inside the token, whatever precedes it.
        for cut in 1..<token.utf8.count {
            let body = Array((String(repeating: character, count: 30) + token).utf8)
            let excerpt = ResponseExcerpt.make(body.prefix(body.count - cut), token: token)
            #expect(!excerpt.contains("sk_live_S"), "cut \(cut): \(excerpt.suffix(40))")
        }
    }

    @Test("tokens and configurations print redacted")
    func redaction() {
        let token = MetronomeToken("sk_live_SECRET")
        let configuration = MetronomeClientConfiguration(token: token)
        for text in ["\(token)", String(reflecting: token), "\(configuration)", String(describing: [token])] {
            #expect(!text.contains("SECRET"), "\(text)")
        }
        var dumped = ""
        dump(token, to: &dumped)
        #expect(!dumped.contains("SECRET"))
    }

    @Test("query components are percent-encoded so cursors survive")
    func queryEncoding() {
        let request = MetronomeRequest(
            method: .get, path: "/v1/customers", query: [("next_page", "a+b/c=="), ("x", "é ok")])
        #expect(request.target == "/v1/customers?next_page=a%2Bb%2Fc%3D%3D&x=%C3%A9%20ok")
        #expect(request.endpoint == "GET /v1/customers")
    }
}
