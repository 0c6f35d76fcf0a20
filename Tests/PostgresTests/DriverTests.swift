import Foundation
import Postgres
import Testing
import TestSupport

@Suite("Postgres driver", .timeLimit(.minutes(5)))
struct DriverTests {
    @Test func parametersAndNulls() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let row = try await connection.query(
            "SELECT $1::int + $2::int AS sum, $3::text IS NULL AS missing, $3::text AS nothing", [40, 2, nil]
        ).single()
        #expect(try row.decode(Int.self, column: "sum") == 42)
        #expect(try row.decode(Bool.self, column: "missing"))
        #expect(try row.decode(String?.self, column: "nothing") == nil)
        #expect(throws: PostgresError.self) { try row.decode(String.self, column: "nothing") }
        await connection.close()
    }

    /// libpq takes text parameters as C strings, so a NUL used to cut a value short silently; Postgres
    /// text cannot hold one, so the value is refused, naming the parameter.
    @Test func aParameterWithANULIsRefusedNotTruncated() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let error = await #expect(throws: PostgresError.self) {
            _ = try await connection.query("SELECT $1::int, $2::text", [1, "before\u{0}after"])
        }
        #expect(error?.description.contains("parameter $2 contains a NUL character") == true, "\(String(describing: error))")
        let arrayError = await #expect(throws: PostgresError.self) {
            _ = try await connection.query("SELECT $1::text[]", [["fine", "Nul\u{0}Byte"]])
        }
        #expect(arrayError?.description.contains("parameter $1 contains a NUL character") == true)
        #expect(try await connection.query("SELECT $1::text", ["still usable"]).single().decode(String.self, at: 0) == "still usable")
        await connection.close()
    }

    @Test func typedDecoding() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let id = UUID()
        let row = try await connection.query(
            """
            SELECT true AS b, 7::int2 AS i16, 70000::int4 AS i32, 9000000000::int8 AS i64, 1.5::float8 AS d,
                   $1::uuid AS id, '2026-11-26'::date AS day,
                   '2026-11-26 01:02:03.456789+00'::timestamptz AS at,
                   '2026-11-26 03:02:03+02'::timestamptz AS offset_at,
                   '{"name":"Zoë","count":3}'::jsonb AS doc,
                   ARRAY['a', 'b,c', NULL, 'd"e', '{x}']::text[] AS list,
                   '\\x00ff10'::bytea AS bytes
            """, [id]
        ).single()
        #expect(try row.decode(Bool.self, column: "b"))
        #expect(try row.decode(Int16.self, column: "i16") == 7)
        #expect(try row.decode(Int32.self, column: "i32") == 70_000)
        #expect(try row.decode(Int64.self, column: "i64") == 9_000_000_000)
        #expect(try row.decode(Double.self, column: "d") == 1.5)
        #expect(try row.decode(UUID.self, column: "id") == id)
        #expect(try row.decode(Date.self, column: "day") == Date(timeIntervalSince1970: 1_795_651_200))
        let at = try row.decode(Date.self, column: "at")
        #expect(abs(at.timeIntervalSince1970 - 1_795_654_923.456789) < 0.000_001)
        #expect(try row.decode(Date.self, column: "offset_at") == Date(timeIntervalSince1970: 1_795_654_923))
        struct Doc: Codable, Equatable, Sendable {
            var name: String
            var count: Int
        }
        #expect(try row.decode(PostgresJSON<Doc>.self, column: "doc").value == Doc(name: "Zoë", count: 3))
        #expect(try row.decode([String?].self, column: "list") == ["a", "b,c", nil, "d\"e", "{x}"])
        #expect(try row.decode(Data.self, column: "bytes") == Data([0x00, 0xFF, 0x10]))
        await connection.close()
    }

    @Test func encodedValuesRoundTrip() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let date = Date(timeIntervalSince1970: 1_795_654_923.25)
        let list: [String?] = ["plain", "with, comma", "quote\"", "back\\slash", nil, "ünïcødé 🚀"]
        let row = try await connection.query(
            "SELECT $1::timestamptz AS at, $2::text[] AS list, $3::bytea AS bytes, $4::jsonb AS doc, $5::float8 AS d",
            [date, list, Data([1, 2, 254]), PostgresJSON(["k": "v"]), Double.infinity]
        ).single()
        #expect(try row.decode(Date.self, column: "at") == date)
        #expect(try row.decode([String?].self, column: "list") == list)
        #expect(try row.decode(Data.self, column: "bytes") == Data([1, 2, 254]))
        #expect(try row.decode(PostgresJSON<[String: String]>.self, column: "doc").value == ["k": "v"])
        #expect(try row.decode(Double.self, column: "d") == .infinity)
        await connection.close()
    }

    @Test(arguments: [
        "123456789012345678.123456789", "-0.000000001", "0", "99999999999999999999999999999999999999",
        "1234.50", "-98765.4321",
    ])
    func numericRoundTripsExactly(_ text: String) async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let decimal = try #require(Decimal(string: text))
        let row = try await connection.query("SELECT $1::numeric AS n, $1::numeric = $2::numeric AS same", [decimal, text])
            .single()
        #expect(try row.decode(Bool.self, column: "same"), "Decimal encoding changed the value")
        #expect(try row.decode(Decimal.self, column: "n") == decimal)
        await connection.close()
    }

    @Test func numericWiderThanDecimalIsRefusedNotRounded() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let row = try await connection.query("SELECT 1234567890123456789012345678901234567890.5::numeric AS n").single()
        #expect(throws: PostgresError.self) { try row.decode(Decimal.self, column: "n") }
        await connection.close()
    }

    @Test func copyInEscapesUTF8AndNulls() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("CREATE TABLE copied (id int, label text, amount numeric)")
        let labels: [String?] = ["Zoë 🚀 café", "tab\there", "new\nline", "back\\slash \\N", nil, "", "CR\r"]
        let rows: [[(any PostgresEncodable)?]] = labels.enumerated().map { index, label in
            [index, label, Decimal(string: "12345678901234.56789")!]
        }
        let copied = try await connection.copyIn("COPY copied (id, label, amount) FROM STDIN", rows: rows)
        #expect(copied == labels.count)
        let result = try await connection.query("SELECT label, amount FROM copied ORDER BY id")
        #expect(try result.map { try $0.decode(String?.self, at: 0) } == labels)
        #expect(try result.allSatisfy { try $0.decode(Decimal.self, at: 1) == Decimal(string: "12345678901234.56789")! })
        await connection.close()
    }

    @Test func copyOfManyRowsStreamsInChunks() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("CREATE TABLE many (id int, payload text)")
        let payload = String(repeating: "x", count: 200)
        let copied = try await connection.copyIn(
            "COPY many FROM STDIN", rows: (0..<5_000).map { [$0, payload] as [(any PostgresEncodable)?] })
        #expect(copied == 5_000)
        #expect(try await connection.query("SELECT count(*) FROM many").single().decode(Int.self, at: 0) == 5_000)
        await connection.close()
    }

    @Test func uniqueViolationCarriesSQLStateAndConstraint() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("CREATE TABLE keyed (key text CONSTRAINT keyed_key_unique UNIQUE)")
        try await connection.query("INSERT INTO keyed VALUES ($1)", ["secret-value-1"])
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("INSERT INTO keyed VALUES ($1)", ["secret-value-1"])
        }
        #expect(error?.sqlState == .uniqueViolation)
        #expect(error?.constraint == "keyed_key_unique")
        #expect(error?.severity == "ERROR")
        #expect(error?.kind == .server)
        #expect(error?.isConnectionLoss == false)
        #expect(error.map { !String(describing: $0).contains("secret-value-1") } == true)
        // The connection stays usable after a statement error.
        #expect(try await connection.query("SELECT 1").single().decode(Int.self, at: 0) == 1)
        await connection.close()
    }

    @Test func errorDescriptionsNeverContainParameterValues() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT $1::int", ["hunter2-token"])
        }
        #expect(error?.sqlState == .invalidTextRepresentation)
        let description = error.map { String(describing: $0) } ?? ""
        #expect(!description.contains("hunter2-token"))
        #expect(description.contains("22P02"))
        await connection.close()
    }

    @Test func multiStatementScriptsUseTheSimpleProtocol() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2); INSERT INTO a VALUES (3);")
        #expect(try await connection.query("SELECT sum(x) FROM a").single().decode(Int.self, at: 0) == 6)
        let error = await #expect(throws: PostgresError.self) {
            try await connection.query("SELECT 1; SELECT 2")
        }
        #expect(error?.sqlState == .syntaxError)
        await connection.close()
    }

    @Test func transactionsCommitAsAUnitAndRollBackOnError() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let connection = try await database.connect()
        try await connection.simpleQuery("CREATE TABLE ledger (amount int NOT NULL)")
        try await connection.transaction { connection in
            try connection.query("INSERT INTO ledger VALUES ($1)", [1])
            try connection.query("INSERT INTO ledger VALUES ($1)", [2])
        }
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES ($1)", [100])
                throw Abort()
            }
        }
        await #expect(throws: PostgresError.self) {
            try await connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES ($1)", [200])
                try connection.query("INSERT INTO ledger VALUES (NULL)")
            }
        }
        #expect(try await connection.query("SELECT sum(amount) FROM ledger").single().decode(Int.self, at: 0) == 3)
        await connection.close()
    }

    @Test func preparedStatementsSurviveSchemaChanges() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        try await connection.simpleQuery("CREATE TABLE evolving (a int); INSERT INTO evolving VALUES (1);")
        #expect(try await connection.query("SELECT * FROM evolving WHERE a = $1", [1]).columns.names == ["a"])
        try await connection.simpleQuery("ALTER TABLE evolving ADD COLUMN b text")
        #expect(try await connection.query("SELECT * FROM evolving WHERE a = $1", [1]).columns.names == ["a", "b"])
        await connection.close()
    }

    @Test func statementTimeoutIsConfigurable() async throws {
        let database = try await TestDatabase.make(migrated: false)
        var configuration = database.configuration
        configuration.statementTimeoutMilliseconds = 100
        let connection = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
        let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(5)") }
        #expect(error?.sqlState == .queryCanceled)
        await connection.close()
    }

    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        let connection = try await TestDatabase.make(migrated: false).connect()
        let observer = try await TestDatabase.make(migrated: false).connect()
        let pid = connection.backendPID
        let started = ContinuousClock.now
        let task = Task { try await connection.query("SELECT pg_sleep(30)") }
        // Wait until the server really runs the sleep, then cancel.
        try await waitUntil("the server runs the sleep", pollingEvery: .milliseconds(1)) {
            try await observer.query(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active'", [Int(pid)]
            ).single().decode(Int.self, at: 0) > 0
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(try await connection.query("SELECT 2").single().decode(Int.self, at: 0) == 2)
        await connection.close()
        await observer.close()
    }

    @Test func terminatedBackendIsConnectionLossAndThePoolRecovers() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let pool = database.pool(size: 1)
        let admin = try await database.connect()
        let firstPID = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
        try await admin.query("SELECT pg_terminate_backend($1)", [Int(firstPID)])
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.isConnectionLoss == true)
        #expect(error?.sqlState == .adminShutdown || error?.kind == .connection)
        // The next checkout replaces the broken connection transparently.
        let secondPID = try await pool.query("SELECT pg_backend_pid()").single().decode(Int32.self, at: 0)
        #expect(secondPID != firstPID)
        #expect(await pool.openConnections == 1)
        await pool.close()
        await admin.close()
    }

    @Test func connectFailureIsClassifiedAsConnectionLoss() async throws {
        let configuration = PostgresConfiguration(connectionString: "postgresql://nobody@127.0.0.1:1/none", connectTimeoutSeconds: 2)
        let error = await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
        }
        #expect(error?.kind == .connection)
        #expect(error?.isConnectionLoss == true)
    }

    @Test func poolBoundsConcurrencyAndServesEveryone() async throws {
        let pool = try await TestDatabase.make(migrated: false).pool(size: 3)
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await connection.query("SELECT pg_sleep(0.01)")
                        return connection.backendPID
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(await pool.openConnections <= 3)
        await pool.close()
    }

    @Test func listenReceivesNotifications() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let listener = try await database.connect()
        let sender = try await database.connect()
        try await listener.listen("jobs ready")
        try await sender.query("SELECT pg_notify($1, $2)", ["jobs ready", "42"])
        var received: [PostgresConnection.Notification] = []
        try await waitUntil("the notification arrives", pollingEvery: .zero) {
            received = try await listener.waitForNotifications(timeoutMilliseconds: 1_000)
            return !received.isEmpty
        }
        #expect(received.first?.channel == "jobs ready")
        #expect(received.first?.payload == "42")
        #expect(received.first?.senderPID == sender.backendPID)
        await listener.close()
        await sender.close()
    }

    /// A worker's listener waits in long polls; shutting down must not wait out the poll (it did: a
    /// worker that found its queue empty took a quarter of a second more to exit).
    @Test func cancellingAWaitForNotificationsEndsItAtOnce() async throws {
        let database = try await TestDatabase.make(migrated: false)
        let listener = try await database.connect()
        try await listener.listen("wait interrupted")
        let started = ContinuousClock.now
        let wait = Task { try await listener.waitForNotifications(timeoutMilliseconds: 120_000) }
        wait.cancel()
        let received = try await wait.value
        #expect(received.isEmpty)
        #expect(ContinuousClock.now - started < .seconds(60), "the cancelled wait ran out its two-minute timeout")
        // The connection still works, and a later wait receives what is sent.
        let sender = try await database.connect()
        try await sender.query("SELECT pg_notify($1, $2)", ["wait interrupted", "7"])
        var next: [PostgresConnection.Notification] = []
        try await waitUntil("the notification arrives", pollingEvery: .zero) {
            next = try await listener.waitForNotifications(timeoutMilliseconds: 120_000)
            return !next.isEmpty
        }
        #expect(next.map(\.payload) == ["7"])
        await listener.close()
        await sender.close()
    }
}

@Suite("Statement timeouts", .timeLimit(.minutes(5)))
struct StatementTimeoutTests {
    /// A fixed 60 s used to override the URL's own `statement_timeout`.
    @Test func aTimeoutInTheURLOrPGOPTIONSIsRespected() async throws {
        let base = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"])
        let separator = base.contains("?") ? "&" : "?"
        // PGOPTIONS reaches libpq through the process environment, shared by every test: checked here
        // without connecting.
        let fromPGOPTIONS = PostgresConfiguration.fromEnvironment(["DATABASE_URL": base, "PGOPTIONS": "-c statement_timeout=4321"])
        #expect(fromPGOPTIONS.statementTimeoutMilliseconds == nil)
        let configuration = PostgresConfiguration.fromEnvironment(
            ["DATABASE_URL": base + separator + "options=-c%20statement_timeout%3D4321"])
        #expect(configuration.statementTimeoutMilliseconds == nil)
        let connection = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
        let shown: String = try await connection.query("SHOW statement_timeout").single().decode(at: 0)
        #expect(shown == "4321ms")
        await connection.close()
        #expect(PostgresConfiguration.fromEnvironment(["DATABASE_URL": base]).statementTimeoutMilliseconds == 60_000)
    }

    /// A COPY of a large file, a migration or a prune runs past the session's limit under the bulk one.
    @Test func bulkStatementsHaveTheirOwnTimeout() async throws {
        let database = try await TestDatabase.make(migrated: false)
        var configuration = database.configuration
        configuration.statementTimeoutMilliseconds = 100
        configuration.bulkStatementTimeoutMilliseconds = 0
        let connection = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
        await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(0.3)") }
        try await connection.transaction { connection in
            try connection.useBulkStatementTimeout()
            try connection.query("SELECT pg_sleep(0.3)")
        }
        // Only for that transaction.
        await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(0.3)") }
        await connection.close()
    }
}

@Suite("Credential redaction", .timeLimit(.minutes(5)))
struct CredentialRedactionTests {
    @Test func passwordsNeverSurviveInConnectionErrors() async throws {
        // libpq quotes a connection string it cannot parse (here `:/` instead of `://`) back verbatim.
        for url in [
            "postgresql:/app:s3cr3t-pw@127.0.0.1:1/db", "postgresql://app:s3cr3t-pw@127.0.0.1:1/db?sslmode=bogus",
            "host=127.0.0.1 port=1 user=app password=s3cr3t-pw dbname", "host=127.0.0.1 port=1 password='s3cr3t-pw' x",
        ] {
            var configuration = PostgresConfiguration(connectionString: url)
            configuration.connectTimeoutSeconds = 2
            do {
                _ = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
                Issue.record("connected with \(url)?")
            } catch {
                #expect(!"\(error)".contains("s3cr3t"), "\(error)")
                #expect(!String(reflecting: error).contains("s3cr3t"), "\(error)")
            }
        }
    }

    @Test func shapesAreMasked() {
        #expect(
            CredentialRedaction.redact("bad \"postgres://u:pw@h/db\" and password=abc def", connectionString: "")
                == "bad \"postgres://u:***@h/db\" and password=*** def")
        #expect(CredentialRedaction.redact("x pw123 y", connectionString: "postgresql://u:pw123@h/db") == "x *** y")
        #expect(CredentialRedaction.redact("no secrets here", connectionString: "host=h") == "no secrets here")
    }
}
