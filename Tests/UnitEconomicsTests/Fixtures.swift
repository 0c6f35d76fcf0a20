import Foundation
import Logging
import Postgres
import TestSupport
@testable import UnitEconomics

/// Test fixtures written by hand: FOCUS files and a small Metronome mirror whose reports were computed on paper.
enum Fixtures {
    static let logger = Logger(label: "unit-economics-tests")

    /// Writes `text` to a new temporary file and returns its path.
    static func file(_ text: String, name: String = "focus.csv") throws -> String {
        let directory = TestFiles.url("ue")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// A minimal FOCUS file in the fixed column order used by the report fixtures.
    static func focus(_ rows: [(start: String, end: String, cost: String, category: String, tags: String, currency: String)]) -> String {
        var text = "ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ServiceCategory,ServiceName,ProviderName,Tags\n"
        for row in rows {
            let tags = "\"" + row.tags.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            text += "\(row.start),\(row.end),\(row.cost),\(row.cost),\(row.currency),\(row.category),Svc,AWS,\(tags)\n"
        }
        return text
    }

    /// The report fixture (see ReportTests for the hand-computed expectations).
    ///
    /// Customers: c-acme ("Acme", alias acme), c-beta ("Beta", alias beta), c-gamma ("Gamma"),
    /// c-dup1 and c-dup2 (both named "Dup": ambiguous by name).
    /// Usage "API requests" (SUM): 03-01 acme 100, beta 300; 03-02 acme 50, beta 50; 03-03 none; 02-27 acme 100.
    /// Usage "Seats" (MAX): a gauge. Revenue "Revenue" (USD (cents), stored in dollars): 03-01 acme 1000,
    /// 03-02 gamma 200, 02-27 acme 600. Revenue "Revenue EUR": 03-01 acme 50.
    static func seedMetronome(_ pool: PostgresConnectionPool) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.simpleQuery(
                """
                INSERT INTO connections (id, name, base_url, token_ciphertext) VALUES (1, 'main', 'http://sandbox', '\\x00');
                INSERT INTO customers (connection_id, id, name, ingest_aliases, import_batch) VALUES
                    (1, 'c-acme', 'Acme', '{acme}', 0), (1, 'c-beta', 'Beta', '{beta}', 0), (1, 'c-gamma', 'Gamma', '{}', 0),
                    (1, 'c-dup1', 'Dup', '{}', 0), (1, 'c-dup2', 'Dup', '{}', 0);
                INSERT INTO billable_metrics (connection_id, id, name, aggregation_type) VALUES
                    (1, 'bm-req', 'requests', 'sum'), (1, 'bm-seats', 'seats', 'MAX');
                INSERT INTO credit_types (connection_id, id, name) VALUES (1, 'ct-usd', 'USD (cents)'), (1, 'ct-eur', 'EUR');
                INSERT INTO business_metrics (id, title, connection_id, kind, billable_metric_id, credit_type_id, credit_type_name,
                    revenue_basis, label_source, since) VALUES
                    (1, 'API requests', 1, 'usage', 'bm-req', NULL, NULL, NULL, 'customer_name', '2025-01-01'),
                    (2, 'Seats', 1, 'usage', 'bm-seats', NULL, NULL, NULL, 'customer_name', '2025-01-01'),
                    (3, 'Revenue', 1, 'revenue', NULL, 'ct-usd', 'USD (cents)', 'invoice_total', 'customer_name', '2025-01-01'),
                    (4, 'Revenue EUR', 1, 'revenue', NULL, 'ct-eur', 'EUR', 'invoice_total', 'customer_name', '2025-01-01');
                INSERT INTO metric_values (metric_id, day, customer_id, amount) VALUES
                    (1, '2025-03-01', 'c-acme', 100), (1, '2025-03-01', 'c-beta', 300),
                    (1, '2025-03-02', 'c-acme', 50), (1, '2025-03-02', 'c-beta', 50), (1, '2025-02-27', 'c-acme', 100),
                    (2, '2025-03-01', 'c-acme', 7), (2, '2025-03-02', 'c-acme', 9),
                    (3, '2025-03-01', 'c-acme', 1000), (3, '2025-03-02', 'c-gamma', 200), (3, '2025-02-27', 'c-acme', 600),
                    (4, '2025-03-01', 'c-acme', 50);
                """)
        }
    }

    /// Cost for the report fixture. In COGS (Compute, customer tag "customer"), 2025-03-01..03-03:
    /// A: 10, hourly on 03-01, tagged acme (alias)           → direct Acme 10 on 03-01
    /// B: 30, 03-01..03-04 (three days), untagged            → shared 10 per day
    /// C: 5, daily 03-02, tagged "Dup" (two customers)       → ambiguous, its own row
    /// D: 4, daily 03-02, tagged c-beta (id)                 → direct Beta 4 on 03-02
    /// E: 1000, Storage                                      → not in COGS
    /// F: 31, all of March (31 days), untagged               → shared 1 per day
    /// G: 8, EUR, Support                                    → only in "Everything": mixed currencies
    static let reportCost = focus([
        ("2025-03-01T05:00:00Z", "2025-03-01T06:00:00Z", "10", "Compute", #"{"customer":"acme"}"#, "USD"),
        ("2025-03-01T00:00:00Z", "2025-03-04T00:00:00Z", "30", "Compute", #"{"env":"prod"}"#, "USD"),
        ("2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z", "5", "Compute", #"{"customer":"Dup"}"#, "USD"),
        ("2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z", "4", "Compute", #"{"customer":"c-beta"}"#, "USD"),
        ("2025-03-01T00:00:00Z", "2025-03-02T00:00:00Z", "1000", "Storage", #"{}"#, "USD"),
        ("2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z", "31.00", "Compute", "", "USD"),
        ("2025-03-02T00:00:00Z", "2025-03-03T00:00:00Z", "8", "Support", #"{}"#, "EUR"),
    ])

    struct Environment {
        let database: TestDatabase
        let pool: PostgresConnectionPool
        let reports: UnitEconomicsReports
    }

    static func reportEnvironment(function: String = #function) async throws -> Environment {
        let database = try await TestDatabase.make(function: function)
        let pool = database.pool(size: 2)
        try await seedMetronome(pool)
        _ = try await CostImporter(pool: pool, logger: logger).importFile(at: try file(reportCost), source: "aws")
        let store = CostReportStore(pool: pool)
        _ = try await store.create(
            name: "COGS", filters: [try CostReportFilter(parsing: "service-category=Compute", exclude: false)], customerTag: "customer")
        _ = try await store.create(name: "Everything", filters: [], customerTag: "customer")
        return Environment(database: database, pool: pool, reports: UnitEconomicsReports(pool: pool))
    }
}

extension ReportOutput {
    /// The first section's rows as dictionaries keyed by column, for readable expectations.
    func rows(section: Int = 0) -> [[String: String]] {
        sections[section].rows.map { row in
            var object: [String: String] = [:]
            for (column, cell) in zip(sections[section].columns, row) { object[column] = cell ?? "∅" }
            return object
        }
    }

    func row(_ column: String, _ value: String, section: Int = 0) -> [String: String]? {
        rows(section: section).first { $0[column] == value }
    }
}
