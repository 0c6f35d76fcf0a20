import AsyncHTTPClient
import Console
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobQueue
import NIOCore
import Postgres
import TestSupport
import Testing

/// Refusals: no token, a wrong token, a missing or wrong CSRF token, read-only mode, and the rule that
/// only loopback may go without authentication.
@Suite("Console safety", .timeLimit(.minutes(5)))
struct ConsoleSecurityTests {
    static let token = "console-test-token-0123456789abcdef"

    @Test func onlyLoopbackGoesWithoutAToken() throws {
        #expect(ConsoleConfiguration.refusal(host: "127.0.0.1", hasToken: false, noAuth: false) == nil)
        #expect(ConsoleConfiguration.refusal(host: "::1", hasToken: false, noAuth: false) == nil)
        #expect(
            ConsoleConfiguration.refusal(host: "0.0.0.0", hasToken: false, noAuth: false)?.contains("--auth-token-file")
                == true)
        #expect(ConsoleConfiguration.refusal(host: "10.1.2.3", hasToken: true, noAuth: false) == nil)
        #expect(ConsoleConfiguration.refusal(host: "0.0.0.0", hasToken: false, noAuth: true) == nil)
        #expect(ConsoleConfiguration.refusal(host: "0.0.0.0", hasToken: true, noAuth: true) != nil)
        #expect(ConsoleConfiguration.isLoopback("127.0.0.2") && ConsoleConfiguration.isLoopback("LOCALHOST"))
        #expect(
            !ConsoleConfiguration.isLoopback("127.evil.example") && !ConsoleConfiguration.isLoopback("127.0.0.1.nip.io")
        )
        // The command refuses to start, before touching the database.
        let run = try MeterBridgeBinary.run(
            ["serve", "--http-host", "0.0.0.0", "--database-url", "postgresql://nobody@127.0.0.1:1/none"],
            schema: nil)
        #expect(run.status != 0)
        #expect(run.stderr.contains("--auth-token-file"), "\(run.stderr)")
    }

    @Test func aTokenIsRequiredAsBearerOrSessionCookie() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        try await ConsoleSession.run(fixture, access: .token(Self.token)) { session in
            // No credentials: a browser is sent to sign in, anything else is refused.
            let page = try await session.get("/metrics")
            #expect(page.status == .seeOther && page.headers[.location] == "/login")
            #expect(page.headers[.contentSecurityPolicy] != nil)
            #expect(try await session.get("/metrics/\(fixture.usageMetric.id)/values.csv").status == .seeOther)
            let csrf = try await session.csrf()
            #expect(try await session.post("/queues/sync/pause", [("csrf", csrf)]).status == .unauthorized)
            // A wrong bearer token is refused; the right one works.
            let wrong = try await session.get("/metrics", headers: [.authorization: "Bearer not-the-token"])
            #expect(wrong.status == .unauthorized)
            #expect(!wrong.text.contains("CPU hours"))
            let right = try await session.get("/metrics", headers: [.authorization: "Bearer \(Self.token)"])
            #expect(right.status == .ok && right.text.contains("CPU hours"))
            // Signing in: a wrong token is refused, the right one sets an HttpOnly, SameSite=Strict cookie.
            let refused = try await session.post("/login", [("csrf", csrf), ("token", "guess")])
            #expect(refused.status == .unauthorized && refused.headers[.setCookie] == nil)
            #expect(try await session.post("/login", [("csrf", "0"), ("token", Self.token)]).status == .forbidden)
            let signedIn = try await session.post("/login", [("csrf", csrf), ("token", Self.token)])
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"))
            #expect(!cookie.contains(Self.token))
            let pair = try #require(cookie.split(separator: ";").first.map(String.init))
            let browser = ConsoleSession(client: session.client, headers: [.cookie: pair])
            let overview = try await browser.get("/")
            #expect(overview.status == .ok && overview.text.contains("Sign out"))
            // A forged cookie is not a session.
            let forged = ConsoleSession(client: session.client, headers: [.cookie: "meterbridge_session=00ff"])
            #expect(try await forged.get("/").status == .seeOther)
            // Signing out clears the cookie.
            let out = try await browser.post("/logout", [("csrf", csrf)])
            #expect(out.status == .seeOther && out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    /// Another site's page that rebinds its name to 127.0.0.1 is not served, and a POST from another
    /// origin is refused, over a real socket as a browser would send them.
    @Test func aLoopbackConsoleAnswersOnlyToLoopbackNamesAndItsOwnOrigin() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let pool = fixture.pool(size: 2)
        let server = ConsoleServer(
            configuration: ConsoleConfiguration(port: 0), pool: pool, logger: ConsoleFixture.logger)
        @Sendable func send(_ port: Int, _ path: String, host: String, origin: String? = nil, body: String? = nil)
            async throws -> (Int, String)
        {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.headers.replaceOrAdd(name: "Host", value: host)
            if let origin { request.headers.add(name: "Origin", value: origin) }
            if let body {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: body))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 22)))
        }
        do {
            try await server.application().test(.live) { client in
                let port = try #require(client.port)
                #expect(try await send(port, "/metrics", host: "rebound.example:\(port)").0 == 421)
                #expect(try await send(port, "/metrics", host: "127.rebound.example:\(port)").0 == 421)
                #expect(try await send(port, "/metrics", host: "localhost:\(port)").0 == 200)
                let (status, page) = try await send(port, "/login", host: "127.0.0.1:\(port)")
                #expect(status == 200)
                let csrf = try #require(ConsoleSession.capture(#"name="csrf" value="([0-9a-f]{64})""#, in: page))
                let name = "t-origin-\(UInt32.random(in: 0...UInt32.max))"
                let foreign = try await send(
                    port, "/queues/\(name)/pause", host: "127.0.0.1:\(port)", origin: "http://attacker.example",
                    body: "csrf=\(csrf)")
                #expect(foreign.0 == 403 && foreign.1.contains("cross-origin"))
                let own = try await send(
                    port, "/queues/\(name)/pause", host: "127.0.0.1:\(port)", origin: "http://127.0.0.1:\(port)",
                    body: "csrf=\(csrf)")
                #expect(own.0 == 200)
                let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
                #expect(try await queue.admin.pausedQueues().contains(name))
                try await queue.admin.resume(queue: name)
            }
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }

    @Test func everyActionNeedsTheCSRFToken() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let name = "t-csrf-\(UInt32.random(in: 0...UInt32.max))"
        let pool = fixture.pool(size: 1)
        let queue = JobQueue(pool: pool, logger: ConsoleFixture.logger)
        try await ConsoleSession.run(fixture) { session in
            let actions = [
                "/queues/\(name)/pause", "/jobs/1/retry", "/jobs/1/cancel", "/jobs/retry-failed",
                "/metrics/\(fixture.usageMetric.id)/reimport",
            ]
            for uri in actions {
                let missing = try await session.post(uri, [("from", "\(fixture.to)"), ("to", "\(fixture.to)")])
                #expect(missing.status == .forbidden, "\(uri)")
                let wrong = try await session.post(
                    uri, [("csrf", String(repeating: "0", count: 64)), ("expected", "0")])
                #expect(wrong.status == .forbidden, "\(uri)")
                #expect(wrong.text.contains("CSRF"))
            }
            // Changing state takes a POST: the GET of an action's address changes nothing.
            #expect(try await session.get("/queues/\(name)/pause").status == .notFound)
        }
        #expect(try await !queue.admin.pausedQueues().contains(name))
        await pool.close()
    }

    @Test func readOnlyHidesAndRefusesEveryAction() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        try await Self.checkReadOnly(fixture: fixture, pool: fixture.pool())
    }

    /// The same, as a database role that may only SELECT: every page still renders.
    @Test func readOnlyRunsUnderASelectOnlyRole() async throws {
        let fixture = try await ConsoleFixture.shared.get()
        let role = "console_ro_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await fixture.database.connect()
        let schema = PostgresConnection.quoteIdentifier(fixture.database.schema)
        try await admin.simpleQuery(
            """
            CREATE ROLE \(role) LOGIN;
            GRANT USAGE ON SCHEMA \(schema) TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(role);
            """)
        await admin.close()
        var url = try #require(URLComponents(string: fixture.database.configuration.connectionString))
        url.user = role
        var configuration = fixture.database.configuration
        configuration.connectionString = try #require(url.string)
        let pool = PostgresConnectionPool(configuration: configuration, size: 2, logger: ConsoleFixture.logger)
        // The role really cannot write.
        await #expect(throws: (any Error).self) { try await pool.query("UPDATE connections SET rate_limit = 1") }
        try await Self.checkReadOnly(fixture: fixture, pool: pool)
        let cleanup = try await fixture.database.connect()
        try await cleanup.simpleQuery(
            "REVOKE ALL ON ALL TABLES IN SCHEMA \(schema) FROM \(role); REVOKE ALL ON SCHEMA \(schema) FROM \(role); DROP ROLE \(role)"
        )
        await cleanup.close()
    }

    static func checkReadOnly(fixture: ConsoleFixture, pool: PostgresConnectionPool) async throws {
        let failed = try await ConsoleActionTests().jobs(count: 1, discarded: 1, fixture: fixture).ids[0]
        try await ConsoleSession.run(fixture, readOnly: true, pool: pool) { session in
            let range = "from=\(fixture.from)&to=\(fixture.to)"
            let pages = [
                "/", "/metrics", "/metrics/\(fixture.usageMetric.id)?\(range)", "/jobs?state=discarded",
                "/jobs/\(failed)", "/reports",
                "/reports/margin?revenue-metric=Revenue&cost-report=COGS&\(range)", "/costs",
                "/metrics/\(fixture.usageMetric.id)/values.csv?\(range)",
            ]
            for uri in pages {
                let response = try await session.get(uri)
                #expect(response.status == .ok, "\(uri): \(response.text.prefix(200))")
                #expect(!response.text.contains("method=\"post\""), "\(uri)")
                #expect(!response.text.contains("retry-failed"), "\(uri)")
            }
            #expect(try await session.get("/jobs/retry-failed?state=discarded").status == .forbidden)
            let csrf = try await session.csrf()
            for uri in [
                "/jobs/\(failed)/retry", "/jobs/\(failed)/cancel", "/queues/sync/pause", "/jobs/retry-failed",
                "/metrics/\(fixture.usageMetric.id)/reimport",
            ] {
                let response = try await session.post(
                    uri, [("csrf", csrf), ("from", "\(fixture.to)"), ("to", "\(fixture.to)")])
                #expect(response.status == .forbidden, "\(uri)")
                #expect(response.text.contains("read-only"))
            }
        }
        #expect(try await ConsoleActionTests().states([failed], fixture: fixture) == [.discarded])
    }
}
