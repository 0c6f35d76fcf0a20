import Metronome
import Foundation
import Postgres
import Testing
import TestSupport
@testable import UnitEconomics

/// A realistic FOCUS 1.2 export: 61 columns in an unusual order, hourly, daily and month-long rows,
/// JSON tags, quoted commas and quotes, CRLF line ends.
enum RealisticFocus {
    static let columns = [
        "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType", "BillingCurrency",
        "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId", "CapacityReservationStatus", "ChargeCategory",
        "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
        "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName", "CommitmentDiscountQuantity",
        "CommitmentDiscountStatus", "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit",
        "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
        "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
        "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName", "RegionId",
        "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName", "ServiceSubcategory",
        "SkuId", "SkuMeter", "SkuPriceDetails", "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
        "x_Discounts", "x_Operation", "x_ServiceCode", "x_UsageType",
    ]
    /// A fixed shuffle: every 7th column first, and so on (61 is prime, so this visits each column once).
    static let order: [Int] = (0..<columns.count).map { ($0 * 7) % columns.count }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func row(_ values: [String: String]) -> String {
        order.map { index -> String in
            let name = columns[index]
            if let value = values[name] { return csvField(value) }
            switch name {
            case "PricingCurrency", "BillingCurrency": return "USD"
            case "ListCost", "ContractedCost": return "9.99"
            case "x_Discounts": return csvField(#"{"program":"edp, 2025"}"#)
            default: return name.hasPrefix("x_") ? "x" : ""
            }
        }.joined(separator: ",")
    }

    static func base(_ start: String, _ end: String, effective: String, billed: String) -> [String: String] {
        [
            "ChargePeriodStart": start, "ChargePeriodEnd": end, "EffectiveCost": effective, "BilledCost": billed,
            "ProviderName": "AWS", "ServiceName": "Amazon EC2", "ServiceCategory": "Compute", "ChargeCategory": "Usage",
            "BillingAccountId": "111111111111", "SubAccountId": "222222222222", "RegionId": "us-east-1",
            "ResourceId": "i-0abc", "ResourceName": #"web "blue", primary"#,
        ]
    }

    /// 24 hourly rows on 05-10 (0.125 each, billed 0.13), two daily rows on 05-11 (7.5 and 2.25), one
    /// month-long commitment row (62 effective, 0 billed: 2 per day) and an upfront purchase (0 effective, 100 billed).
    static var text: String {
        var lines = [order.map { columns[$0] }.joined(separator: ",")]
        for hour in 0..<24 {
            let start = String(format: "2025-05-10T%02d:00:00Z", hour)
            let end = hour == 23 ? "2025-05-11T00:00:00Z" : String(format: "2025-05-10T%02d:00:00Z", hour + 1)
            var values = base(start, end, effective: "0.125", billed: "0.13")
            values["Tags"] = #"{"customer":"acme","team":"a, b","critical":true}"#
            lines.append(row(values))
        }
        var daily = base("2025-05-11T00:00:00Z", "2025-05-12T00:00:00Z", effective: "7.5", billed: "7.5")
        daily["ChargeDescription"] = #"Usage, "special" rate"#
        lines.append(row(daily))
        daily["EffectiveCost"] = "2.25"
        daily["BilledCost"] = "2.25"
        daily["ServiceName"] = "Amazon S3"
        daily["ServiceCategory"] = "Storage"
        lines.append(row(daily))
        var monthly = base("2025-05-01T00:00:00Z", "2025-06-01T00:00:00Z", effective: "62.00", billed: "0")
        monthly["ChargeCategory"] = "Usage"
        monthly["CommitmentDiscountId"] = "sp-1"
        lines.append(row(monthly))
        var purchase = base("2025-05-01T00:00:00Z", "2025-06-01T00:00:00Z", effective: "0", billed: "100")
        purchase["ChargeCategory"] = "Purchase"
        lines.append(row(purchase))
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

@Suite("Cost import", .timeLimit(.minutes(15)))
struct CostImportTests {
    static func snapshot(_ pool: PostgresConnectionPool) async throws -> [String] {
        try await pool.query(
            """
            SELECT day::text || ' ' || line || ' ' || effective_cost::text || ' ' || billed_cost::text || ' ' || tags::text
                || ' ' || coalesce(service_name, '') || ' ' || coalesce(provider, '')
            FROM cost_daily ORDER BY day, line
            """
        ).map { try $0.decode(String.self, at: 0) }
    }

    static func dayTotal(_ pool: PostgresConnectionPool, _ day: String) async throws -> Decimal {
        try await pool.query("SELECT coalesce(sum(effective_cost), 0)::text FROM cost_daily WHERE day = $1::date", [day])
            .single().decode(at: 0)
    }

    @Test func realisticFileImportsAndReimportChangesNothing() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let importer = CostImporter(pool: pool, logger: Fixtures.logger)
        let path = try Fixtures.file(RealisticFocus.text, name: "may.csv")

        let first = try await importer.importFile(at: path)
        #expect(first.source == "may.csv")
        #expect(first.statistics.inputRows == 28)
        #expect(first.statistics.dailyRows == 24 + 2 + 31 + 31)
        #expect(first.statistics.firstDay == UTCDay("2025-05-01") && first.statistics.lastDay == UTCDay("2025-05-31"))

        let listed = try await CostStore(pool: pool).list()
        #expect(listed.count == 1)
        let summary = try #require(listed.first)
        #expect(summary.source == "may.csv" && summary.currency == "USD" && summary.rows == 28)
        #expect(summary.periodStart == UTCDay("2025-05-01") && summary.periodEnd == UTCDay("2025-05-31"))
        #expect(summary.effectiveCost == DecimalMath.parse("74.75"))  // 24 × 0.125 + 7.5 + 2.25 + 62 + 0
        #expect(summary.billedCost == DecimalMath.parse("112.87"))  // 24 × 0.13 + 7.5 + 2.25 + 0 + 100
        #expect(try await Self.dayTotal(pool, "2025-05-10") == 5)  // 3 hourly + 2 of the month-long row
        #expect(try await Self.dayTotal(pool, "2025-05-11") == DecimalMath.parse("11.75"))
        #expect(try await Self.dayTotal(pool, "2025-05-31") == 2)

        let tags = try await pool.query(
            "SELECT DISTINCT tags->>'team', tags->>'critical', provider, region_id FROM cost_daily WHERE tags ? 'customer'")
        #expect(tags.count == 1)
        #expect(tags[0]["?column?"] == "a, b")
        #expect(try tags[0].decode(String.self, at: 1) == "true" && tags[0]["provider"] == "AWS" && tags[0]["region_id"] == "us-east-1")

        let before = try await Self.snapshot(pool)
        let second = try await importer.importFile(at: path)
        #expect(second.replacedRows == first.statistics.dailyRows)
        #expect(try await Self.snapshot(pool) == before)
        #expect(try await CostStore(pool: pool).list() == listed)
        await pool.close()
    }

    @Test func reimportReplacesOnlyThePeriodTheFileCovers() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let importer = CostImporter(pool: pool, logger: Fixtures.logger)
        _ = try await importer.importFile(at: try Fixtures.file(RealisticFocus.text), source: "aws")
        let correction = Fixtures.focus([("2025-05-10T03:00:00Z", "2025-05-10T04:00:00Z", "1.00", "Compute", "{}", "USD")])
        let result = try await importer.importFile(at: try Fixtures.file(correction), source: "aws")
        #expect(result.replacedRows == 24 + 2)  // the hourly rows and the two month-long rows' shares on 05-10
        #expect(try await Self.dayTotal(pool, "2025-05-10") == 1)
        #expect(try await Self.dayTotal(pool, "2025-05-11") == DecimalMath.parse("11.75"))
        // Another source is never touched.
        _ = try await importer.importFile(at: try Fixtures.file(correction), source: "gcp")
        #expect(try await Self.dayTotal(pool, "2025-05-10") == 2)
        await pool.close()
    }

    /// A file of two days used to replace the earlier import of every day between them.
    @Test func reimportReplacesOnlyTheDaysTheFileHasRowsFor() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 2)
        let importer = CostImporter(pool: pool, logger: Fixtures.logger)
        let january = (1...31).map { day in
            (start: String(format: "2026-01-%02dT00:00:00Z", day), end: String(format: "2026-01-%02dT01:00:00Z", day), cost: "1.00",
                category: "Compute", tags: "{}", currency: "USD")
        }
        _ = try await importer.importFile(at: try Fixtures.file(Fixtures.focus(january)), source: "aws")
        let correction = Fixtures.focus([january[0], january[30]].map { ($0.start, $0.end, "2.00", $0.category, $0.tags, $0.currency) })
        let result = try await importer.importFile(at: try Fixtures.file(correction), source: "aws")
        #expect(result.replacedRows == 2)
        #expect(try await Self.dayTotal(pool, "2026-01-01") == 2)
        #expect(try await Self.dayTotal(pool, "2026-01-15") == 1, "a day between the file's rows keeps its cost")
        #expect(try await Self.dayTotal(pool, "2026-01-31") == 2)
        await pool.close()
    }

    @Test func dayRangesMergeAndStaySorted() {
        var days = DayRanges()
        for (first, last) in [(10, 12), (1, 3), (13, 13), (5, 5), (4, 4), (20, 25), (0, 0)] as [(Int, Int)] {
            days.insert(first, through: last)
        }
        #expect(days.ranges == [0...5, 10...13, 20...25])
        #expect(days.dayCount == 6 + 4 + 6)
    }

    @Test func gzipFilesAreReadToo() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let path = try Fixtures.file(RealisticFocus.text, name: "may.csv")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-k", path]
        try gzip.run()
        gzip.waitUntilExit()
        let summary = try await CostImporter(pool: pool, logger: Fixtures.logger).importFile(at: path + ".gz")
        #expect(summary.source == "may.csv.gz" && summary.statistics.inputRows == 28)
        #expect(try await CostStore(pool: pool).list().first?.effectiveCost == DecimalMath.parse("74.75"))
        await pool.close()
    }

    @Test func focus13ProviderNamingAndAnyColumnOrder() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let text = """
            Tags,BillingCurrency,HostProviderName,ServiceProviderName,EffectiveCost,ChargePeriodEnd,BilledCost,ChargePeriodStart
            ,EUR,Azure,Contoso Marketplace,3.5,2026-01-02T00:00:00Z,3.5,2026-01-01T00:00:00Z
            """
        _ = try await CostImporter(pool: pool, logger: Fixtures.logger).importFile(at: try Fixtures.file(text), source: "azure")
        let row = try await pool.query("SELECT provider, currency, effective_cost::text, tags::text FROM cost_daily").single()
        #expect(row["provider"] == "Contoso Marketplace" && row["currency"] == "EUR" && row["tags"] == "{}")
        await pool.close()
    }

    static let header = "ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost,BillingCurrency,ChargeDescription\n"

    @Test(arguments: [
        ("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD,ok\n2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1.2.3,1,USD,x\n",
            FocusImportError(.invalidNumber, line: 3, column: "EffectiveCost", detail: #"found "1.2.3""#)),
        ("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,,1,USD,x\n", FocusImportError(.emptyValue, line: 2, column: "EffectiveCost")),
        ("2025-01-01T05:00:00Z,2025-01-01T04:00:00Z,1,1,USD,x\n", FocusImportError(.endBeforeStart, line: 2, column: "ChargePeriodEnd")),
        ("2025-13-01T00:00:00Z,2025-01-01T04:00:00Z,1,1,USD,x\n", FocusImportError(
            .invalidTimestamp, line: 2, column: "ChargePeriodStart",
            detail: #"found "2025-13-01T00:00:00Z"; expected an ISO 8601 time such as 2026-01-31T00:00:00Z"#)),
        // A quoted line break: the bad record starts on physical line 4.
        ("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD,\"two\nlines\"\n2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,x,USD,y\n",
            FocusImportError(.invalidNumber, line: 4, column: "BilledCost", detail: #"found "x""#)),
        ("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD\n", FocusImportError(.fieldCount, line: 2, detail: "5 fields, the header has 6")),
        // A period of centuries would be prorated into a row for every day of it.
        ("2025-01-01T00:00:00Z,2525-01-01T00:00:00Z,1,1,USD,x\n", FocusImportError(.periodTooLong, line: 2, column: "ChargePeriodEnd")),
        // A quote never closed: the rest of the file would be one field.
        ("2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1,1,USD,\"" + String(repeating: "runaway ", count: 300_000) + "\n",
            FocusImportError(.recordTooLong, line: 2, detail: "a quote may be missing its closing quote")),
    ])
    func malformedRowsFailWithLineAndColumnAndChangeNothing(body: String, expected: FocusImportError) async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let importer = CostImporter(pool: pool, logger: Fixtures.logger)
        _ = try await importer.importFile(at: try Fixtures.file(RealisticFocus.text), source: "s")
        let before = try await Self.snapshot(pool)
        await #expect(throws: expected) {
            try await importer.importFile(at: try Fixtures.file(Self.header + body), source: "s")
        }
        #expect(try await Self.snapshot(pool) == before)
        #expect(try await pool.query("SELECT count(*) FROM cost_imports").single().decode(Int.self, at: 0) == 1)
        await pool.close()
    }

    @Test func missingRequiredColumnFailsOnTheHeader() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let header = #"the header has 4 column(s): "ChargePeriodStart", "ChargePeriodEnd", "EffectiveCost", "BilledCost""#
        await #expect(throws: FocusImportError(.missingColumn, line: 1, column: "BillingCurrency", detail: header)) {
            try await CostImporter(pool: pool, logger: Fixtures.logger).importFile(
                at: try Fixtures.file("ChargePeriodStart,ChargePeriodEnd,EffectiveCost,BilledCost\n"))
        }
        await pool.close()
    }

    @Test func skipInvalidImportsTheRestAndCountsWhy() async throws {
        let database = try await TestDatabase.make()
        let pool = database.pool(size: 1)
        let body = """
            2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,1.5,1.5,USD,ok
            2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,abc,1,USD,bad number
            2025-01-01T03:00:00Z,2025-01-01T02:00:00Z,1,1,USD,reversed
            2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,,1,USD,empty
            2025-01-02T00:00:00Z,2025-01-02T01:00:00Z,2.5,2.5,USD,ok
            2025-01-02T00:00:00Z,2125-01-02T01:00:00Z,9,9,USD,a century

            """
        let summary = try await CostImporter(pool: pool, logger: Fixtures.logger).importFile(
            at: try Fixtures.file(Self.header + body), source: "s", skipInvalid: true)
        #expect(summary.statistics.inputRows == 6 && summary.statistics.skippedRows == 4)
        #expect(summary.statistics.skipped == [
            "invalid number": 1, "charge period ends before it starts": 1, "empty required value": 1,
            "charge period longer than 366 days": 1,
        ])
        #expect(summary.statistics.skippedExamples.map(\.line) == [3, 4, 5, 7])
        #expect(try await CostStore(pool: pool).list().first?.effectiveCost == 4)
        await pool.close()
    }
}
