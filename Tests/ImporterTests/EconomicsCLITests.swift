import Foundation
import Testing
import TestSupport

/// The unit-economics commands end to end through the `meterbridge` binary: import a FOCUS file, list it
/// as JSON, save a cost report, run a report with a chart, refuse a bad file, delete the source.
@Suite("Economics CLI", .timeLimit(.minutes(15)))
struct EconomicsCLITests {
    static let focus = """
        ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ServiceCategory,Tags,ChargeDescription
        2025-03-01T05:00:00Z,2025-03-01T06:00:00Z,10,10,USD,Compute,"{""customer"":""acme""}","hourly, tagged"
        2025-03-01T00:00:00Z,2025-03-04T00:00:00Z,30,30,USD,Compute,"{""env"":""prod""}",shared over three days
        2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,1000,1000,USD,Storage,,not in COGS

        """

    func file(_ text: String) throws -> String {
        let url = TestFiles.url("cli.csv")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test func importListReportAndDelete() async throws {
        let database = try await TestDatabase.make()
        let connection = try await database.connect()
        try await connection.simpleQuery(
            """
            INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'main', 'http://sandbox', '\\x00');
            INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch) VALUES
                (1, 'c-acme', 'Acme', '{acme}', 0), (1, 'c-beta', 'Beta', '{beta}', 0);
            INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES (1, 'bm-req', 'requests', 'sum');
            INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                VALUES (1, 'API requests', 1, 'usage', 'bm-req', 'customer_name', '2025-01-01');
            INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES
                (1, '2025-03-01', 'c-acme', 100), (1, '2025-03-01', 'c-beta', 300),
                (1, '2025-03-02', 'c-acme', 50), (1, '2025-03-02', 'c-beta', 50);
            """)
        let cli = CLITests()

        let imported = try cli.meterbridge(["costs", "import", try file(Self.focus), "--source", "aws"], database: database)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("Imported 3 FOCUS row(s)") && imported.stdout.contains("5 daily row(s), 2025-03-01 to 2025-03-03"))

        let listed = try cli.meterbridge(["costs", "list", "--format", "json"], database: database)
        // Typed: the row count is a number; amounts stay exact decimal strings.
        let sources = try #require(try json(listed.stdout) as? [[String: Any]])
        #expect(sources.count == 1 && sources.first?["rows"] as? Int == 3)
        #expect(sources.first?.compactMapValues { $0 as? String } == [
            "source": "aws", "currency": "USD", "period_start": "2025-03-01", "period_end": "2025-03-03",
            "effective_cost": "1040", "billed_cost": "1040",
        ])

        let created = try cli.meterbridge(
            ["cost-report", "create", "COGS", "--include", "service-category=Compute", "--customer-tag", "customer"],
            database: database)
        #expect(created.status == 0, "\(created.stderr)")

        // Shared cost is 10 a day: 03-01 split 100:300, 03-02 50:50, 03-03 has no usage (unallocated).
        let chart = TestFiles.url("unit-cost.svg").path
        let report = try cli.meterbridge(
            ["report", "unit-cost", "--cost-report", "COGS", "--metric", "API requests", "--from", "2025-03-01",
                "--to", "2025-03-03", "--format", "json", "--chart", chart], database: database)
        #expect(report.status == 0, "\(report.stderr)")
        let object = try #require(try json(report.stdout) as? [String: Any])
        let rows = try #require(object["rows"] as? [[String: Any]])
        func row(_ customer: String) -> [String: Any]? { rows.first { $0["customer"] as? String == customer } }
        #expect(row("Acme")?["cogs"] as? String == "17.5" && row("Acme")?["cost_per_unit"] as? String == "0.11666667")
        #expect(row("Beta")?["cogs"] as? String == "12.5")
        #expect(row("(total)")?["cogs"] as? String == "40" && row("(total)")?["units"] as? String == "500")
        let svg = try String(contentsOfFile: chart, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") || svg.contains("<svg "))

        // A bad file fails with its line and column and changes nothing.
        let bad = try cli.meterbridge(
            ["costs", "import", try file(Self.focus.replacingOccurrences(of: ",30,30,", with: ",3O,30,")), "--source", "aws"],
            database: database)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("line 3, column EffectiveCost: invalid number"), "\(bad.stderr)")
        #expect(try cli.meterbridge(["costs", "list", "--format", "json"], database: database).stdout == listed.stdout)

        let deleted = try cli.meterbridge(["costs", "delete", "--source", "aws", "--yes"], database: database)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect((try json(try cli.meterbridge(["costs", "list", "--format", "json"], database: database).stdout) as? [Any])?.isEmpty == true)
        #expect(try await connection.query("SELECT count(*) FROM cost_daily").single().decode(Int.self, at: 0) == 0)
        await connection.close()
    }

    /// A condition with a value the cost does not have (`compute`; the data says `Compute`) is no longer a
    /// silent zero COGS: create, show and every report say what matched and name the near misses;
    /// `--preview` saves nothing; `edit` fixes the report in place.
    @Test func aCostReportThatMatchesNothingSaysSoWithTheNearMisses() async throws {
        let database = try await TestDatabase.make()
        let connection = try await database.connect()
        try await connection.simpleQuery(
            """
            INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'main', 'http://sandbox', '\\x00');
            INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch) VALUES (1, 'c-acme', 'Acme', '{acme}', 0);
            INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES (1, 'bm-req', 'requests', 'sum');
            INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                VALUES (1, 'API requests', 1, 'usage', 'bm-req', 'customer_name', '2025-01-01');
            INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES (1, '2025-03-01', 'c-acme', 100);
            """)
        let cli = CLITests()
        #expect(try cli.meterbridge(["costs", "import", try file(Self.focus), "--source", "aws"], database: database).status == 0)

        let preview = try cli.meterbridge(
            ["cost-report", "create", "COGS", "--include", "service-category=compute,Networking", "--preview"], database: database)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("--include service-category=compute,Networking"), "\(preview.stdout)")
        #expect(try await connection.query("SELECT count(*) FROM cost_reports").single().decode(Int.self, at: 0) == 0)

        let created = try cli.meterbridge(
            ["cost-report", "create", "COGS", "--include", "service-category=compute,Networking", "--customer-tag", "customer"],
            database: database)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("Created cost report COGS with 1 condition(s), matching 0 cost rows."), "\(created.stdout)")
        #expect(created.stderr.contains("warning: service-category=compute matches 0 of 5 cost rows; Compute matches 4."), "\(created.stderr)")
        #expect(created.stderr.contains("warning: service-category=Networking matches 0 of 5 cost rows."), "\(created.stderr)")
        #expect(created.stderr.contains("Together the conditions match 0 of 5 cost rows"), "\(created.stderr)")

        let shown = try cli.meterbridge(["cost-report", "show", "COGS"], database: database)
        #expect(shown.stderr.contains("Compute matches 4"), "\(shown.stderr)")

        let report = try cli.meterbridge(
            ["report", "unit-cost", "--cost-report", "COGS", "--metric", "API requests", "--from", "2025-03-01", "--to", "2025-03-03"],
            database: database)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("⚠ Cost report \"COGS\" has no cost from 2025-03-01 to 2025-03-03"), "\(report.stdout)")
        #expect(report.stdout.contains("Compute matches 4"), "\(report.stdout)")

        let edited = try cli.meterbridge(["cost-report", "edit", "COGS", "--include", "service-category=Compute"], database: database)
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(edited.stdout.contains("customer tag customer, matching 4 cost rows, 40.00 USD."), "\(edited.stdout)")
        #expect(!edited.stderr.contains("warning"), "\(edited.stderr)")

        // A customer named with 10,000 characters and another keyed by a UUID: the table still fits 120
        // columns (the name cut with "…", the id whole, amounts rounded for reading); the CSV keeps everything.
        let uuid = "0a1b2c3d-0000-4000-8000-000000000001"
        try await connection.simpleQuery(
            """
            INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch)
                VALUES (1, 'c-long', repeat('n', 10000), '{}', 0), (1, '\(uuid)', 'Umbrella', '{}', 0);
            INSERT INTO metric_values (metric_id, day, customer_id, amount)
                VALUES (1, '2025-03-02', 'c-long', 33.333333333), (1, '2025-03-02', '\(uuid)', 7);
            """)
        let arguments = ["report", "unit-cost", "--cost-report", "COGS", "--metric", "API requests", "--from", "2025-03-01", "--to", "2025-03-03"]
        let table = try cli.meterbridge(arguments, database: database)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 120 }, "\(lines.filter { $0.count > 120 }.map { "\($0.count): \($0.prefix(80))" })")
        #expect(table.stdout.contains(uuid) && table.stdout.contains("nnnn…"))
        let csv = try cli.meterbridge(arguments + ["--format", "csv"], database: database)
        #expect(csv.stdout.contains(String(repeating: "n", count: 10_000)) && csv.stdout.contains("33.333333333"))

        let typo = try cli.meterbridge(
            ["report", "unit-cost", "--cost-report", "COSG", "--metric", "API request", "--last", "7d"], database: database)
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("did you mean \"API requests\"?"), "\(typo.stderr)")
        await connection.close()
    }

    /// A FOCUS file that does not import says what it found: the header it has (and the nearest name), the
    /// value that is not a number, that a file is JSON. A mixed-currency report is narrowed with a
    /// `currency` condition.
    @Test func focusErrorsShowWhatWasFoundAndCurrencyCanBeFiltered() async throws {
        let database = try await TestDatabase.make()
        let cli = CLITests()
        let renamed = try cli.meterbridge(
            ["costs", "import", try file(Self.focus.replacingOccurrences(of: "EffectiveCost,", with: "EffectiveCosts,")), "--source", "aws"],
            database: database)
        #expect(renamed.status != 0)
        #expect(renamed.stderr.contains(#"column EffectiveCost: missing required column (did you mean "EffectiveCosts"? the header has 8 column(s): "ChargePeriodStart""#), "\(renamed.stderr)")

        let dollars = try cli.meterbridge(
            ["costs", "import", try file(Self.focus.replacingOccurrences(of: ",30,30,", with: ",$30.00,30,")), "--source", "aws"],
            database: database)
        #expect(dollars.stderr.contains(#"line 3, column EffectiveCost: invalid number (found "$30.00"; amounts are plain decimal numbers"#), "\(dollars.stderr)")

        let json = try cli.meterbridge(["costs", "import", try file(#"[{"ChargePeriodStart": "2025-03-01"}]"#), "--source", "aws"], database: database)
        #expect(json.stderr.contains("this looks like JSON"), "\(json.stderr)")

        let mixed = Self.focus + "2025-03-02T00:00:00Z,2025-03-03T00:00:00Z,8,8,EUR,Compute,,support in EUR\n"
        #expect(try cli.meterbridge(["costs", "import", try file(mixed), "--source", "aws"], database: database).status == 0)
        #expect(try cli.meterbridge(["cost-report", "create", "COGS", "--include", "service-category=Compute"], database: database).status == 0)
        let connection = try await database.connect()
        try await connection.simpleQuery(
            """
            INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'main', 'http://sandbox', '\\x00');
            INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch) VALUES (1, 'c-acme', 'Acme', '{acme}', 0);
            INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES (1, 'bm-req', 'requests', 'sum');
            INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, label_source, since)
                VALUES (1, 'API requests', 1, 'usage', 'bm-req', 'customer_name', '2025-01-01');
            INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES (1, '2025-03-01', 'c-acme', 100);
            """)
        await connection.close()
        let report = ["report", "unit-cost", "--cost-report", "COGS", "--metric", "API requests", "--from", "2025-03-01", "--to", "2025-03-03"]
        let refused = try cli.meterbridge(report, database: database)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--include currency=EUR"), "\(refused.stderr)")
        #expect(try cli.meterbridge(["cost-report", "edit", "COGS", "--include", "service-category=Compute", "--include", "currency=USD"], database: database).status == 0)
        let narrowed = try cli.meterbridge(report, database: database)
        #expect(narrowed.status == 0, "\(narrowed.stderr)")
    }
}
