import ArgumentParser
import Foundation
import Logging
import Postgres
import Schema
import UnitEconomics

/// `meterbridge-bench costs`: FOCUS import throughput (input rows/s) and peak memory for two file sizes.
struct CostImportBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "Measure FOCUS cost import: rows/s from a plain CSV into cost_daily, and peak memory.",
        discussion: """
            Generates realistic FOCUS 1.2 files (61 columns; 90% hourly, 8% daily and 2% month-long rows; JSON tags), \
            imports the smaller one and then the larger one (twice: the second import replaces the first) into a fresh \
            schema, and prints input rows/s and the process's peak resident memory after each: flat memory means the \
            peaks are about the same.
            """)

    @Option(help: "Rows in the small file.") var smallRows = 100_000
    @Option(help: "Rows in the large file.") var rows = 1_000_000
    @Option(help: "Directory for the generated files.") var directory = NSTemporaryDirectory()

    func run() async throws {
        let bench = try await Bench.start()
        let logger = bench.logger
        let configuration = try await bench.freshSchema()
        let pool = PostgresConnectionPool(configuration: configuration, size: 1, logger: logger)
        let importer = CostImporter(pool: pool, logger: logger)
        for (index, count) in [smallRows, rows].enumerated() {
            let path = (directory as NSString).appendingPathComponent("meterbridge-bench-focus-\(count).csv")
            let bytes = try FocusFileGenerator.write(rows: count, to: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            // The large file is imported twice: the second time replaces every row of the first.
            for pass in index == 0 ? ["import"] : ["import", "re-import"] {
                let started = ContinuousClock.now
                let summary = try await importer.importFile(at: path, source: "bench-\(index)")
                let seconds = (ContinuousClock.now - started).seconds
                precondition(summary.statistics.inputRows == count && summary.statistics.skippedRows == 0)
                precondition(pass == "import" ? summary.replacedRows == 0 : summary.replacedRows == summary.statistics.dailyRows)
                print(
                    String(
                        format: "costs %-9@ %8d rows (%.0f MB plain CSV, %d daily rows, %d replaced): %6.2f s, %8.0f rows/s, peak RSS %.0f MB",
                        pass, count, Double(bytes) / 1_048_576, summary.statistics.dailyRows, summary.replacedRows, seconds,
                        Double(count) / seconds, Double(Bench.peakResidentBytes()) / 1_048_576))
            }
        }
        await pool.close()
    }
}

/// Writes synthetic FOCUS files quickly and deterministically.
enum FocusFileGenerator {
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

    /// Returns the file's size in bytes.
    static func write(rows: Int, to path: String) throws -> Int {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var buffer = Data()
        buffer.append(contentsOf: (columns.joined(separator: ",") + "\n").utf8)
        var written = 0
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let services = [("Amazon EC2", "Compute"), ("Amazon S3", "Storage"), ("AWS Data Transfer", "Networking"), ("Amazon RDS", "Databases")]
        for row in 0..<rows {
            let kind = next() % 100
            let day = Int(next() % 28) + 1
            let hour = Int(next() % 24)
            let start: String
            let end: String
            if kind < 90 {
                start = String(format: "2025-05-%02dT%02d:00:00Z", day, hour)
                end = hour == 23 ? String(format: "2025-05-%02dT00:00:00Z", day + 1) : String(format: "2025-05-%02dT%02d:00:00Z", day, hour + 1)
            } else if kind < 98 {
                start = String(format: "2025-05-%02dT00:00:00Z", day)
                end = String(format: "2025-05-%02dT00:00:00Z", day + 1)
            } else {
                start = "2025-05-01T00:00:00Z"
                end = "2025-06-01T00:00:00Z"
            }
            let cents = next() % 100_000
            let cost = "\(cents / 10_000).\(String(format: "%04d", cents % 10_000))"
            let service = services[Int(next() % UInt64(services.count))]
            let customer = "cust-\(next() % 500)"
            var fields: [String] = []
            fields.reserveCapacity(columns.count)
            for column in columns {
                switch column {
                case "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingCurrencyEffectiveCost": fields.append(cost)
                case "BillingCurrency", "PricingCurrency": fields.append("USD")
                case "BillingAccountId": fields.append("111111111111")
                case "SubAccountId": fields.append("2222222222\(row % 10)\(row % 7)")
                case "ChargeCategory": fields.append(kind < 98 ? "Usage" : "Purchase")
                case "ChargePeriodStart", "BillingPeriodStart": fields.append(column == "BillingPeriodStart" ? "2025-05-01T00:00:00Z" : start)
                case "ChargePeriodEnd", "BillingPeriodEnd": fields.append(column == "BillingPeriodEnd" ? "2025-06-01T00:00:00Z" : end)
                case "ChargeDescription": fields.append("\"$0.0104 per On Demand Linux t3.micro Instance Hour, \"\"us-east-1\"\"\"")
                case "ProviderName", "PublisherName", "InvoiceIssuerName": fields.append("AWS")
                case "RegionId": fields.append("us-east-1")
                case "ResourceId": fields.append("i-\(String(next() % 0xFFFF_FFFF, radix: 16))")
                case "ServiceName": fields.append(service.0)
                case "ServiceCategory": fields.append(service.1)
                case "ConsumedQuantity", "PricingQuantity": fields.append("1")
                case "ConsumedUnit", "PricingUnit": fields.append("Hours")
                case "Tags": fields.append("\"{\"\"customer\"\":\"\"\(customer)\"\",\"\"env\"\":\"\"prod\"\"}\"")
                case "SkuId": fields.append("SKU\(next() % 1000)")
                default: fields.append("")
                }
            }
            buffer.append(contentsOf: (fields.joined(separator: ",") + "\n").utf8)
            if buffer.count > 1 << 20 {
                handle.write(buffer)
                written += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
        return written + buffer.count
    }
}
