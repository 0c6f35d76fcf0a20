import Foundation
import MCP
import MCPServer
import Postgres
import TestSupport
import Testing
import UnitEconomics

extension MCPServerSuites {
    /// The MCP server in process, driven by the SDK's own client over an in-memory transport, against a
    /// database filled by a real sandbox import and real FOCUS files.
    @Suite("MCP tools", .timeLimit(.minutes(15)))
    struct MCPToolTests {
        static let readTools = [
            "list_metrics", "metric_values", "list_cost_reports", "list_cost_sources", "import_status", "top_customers",
            "unit_cost",
            "gross_margin", "price_for_margin", "allocate_shared_cost", "fastest_growing_metrics",
        ]

        @Test func toolsAreListedWithTypedSchemas() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let (tools, _) = try await connected.client.listTools()
            #expect(tools.map(\.name).sorted() == Self.readTools.sorted())
            for tool in tools {
                let schema = try #require(tool.inputSchema.objectValue, "\(tool.name)")
                #expect(schema["type"] == "object" && schema["additionalProperties"] == .bool(false), "\(tool.name)")
                let properties = try #require(schema["properties"]?.objectValue, "\(tool.name)")
                for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                    #expect(properties[name] != nil, "\(tool.name): required \(name) is a property")
                }
                for (name, property) in properties {
                    #expect(property["type"] != nil, "\(tool.name).\(name) has a type")
                    #expect(property["description"]?.stringValue?.isEmpty == false, "\(tool.name).\(name) is described")
                }
                #expect(tool.outputSchema?["type"] == "object", "\(tool.name) declares its result")
                #expect(tool.annotations.readOnlyHint == true, "\(tool.name) is read only")
                #expect(tool.description?.isEmpty == false)
            }
            let topCustomers = try #require(tools.first { $0.name == "top_customers" })
            #expect(topCustomers.inputSchema["required"] == ["metric"])
            #expect(topCustomers.inputSchema["properties"]?["from"]?["pattern"] != nil)
            #expect(topCustomers.inputSchema["properties"]?["last_days"]?["type"] == "integer")
            let values = try #require(tools.first { $0.name == "metric_values" })
            #expect(values.inputSchema["properties"]?["group_by"]?["enum"] == ["day", "week", "month"])
            await connected.close()
        }

        /// The report tools answer exactly what `meterbridge report … --format json` prints for the same
        /// input, and what the library's report gives: one implementation underneath.
        @Test(
            arguments: [
                ("top_customers", ["metric": "CPU hours"], ["top-customers", "--metric", "CPU hours"]),
                (
                    "unit_cost", ["cost_report": "COGS", "metric": "API requests", "scale": 1000],
                    ["unit-cost", "--cost-report", "COGS", "--metric", "API requests", "--scale", "1000"]
                ),
                (
                    "gross_margin", ["revenue_metric": "Revenue", "cost_report": "COGS", "usage_metric": "CPU hours"],
                    ["margin", "--revenue-metric", "Revenue", "--cost-report", "COGS", "--metric", "CPU hours"]
                ),
                (
                    "gross_margin", ["revenue_metric": "Revenue", "cost_report": "COGS"],
                    ["margin", "--revenue-metric", "Revenue", "--cost-report", "COGS"]
                ),
                (
                    "price_for_margin", ["cost_report": "COGS", "metric": "CPU hours", "target_margins": [25, 50]],
                    ["pricing", "--cost-report", "COGS", "--metric", "CPU hours", "--target-margins", "25,50"]
                ),
                (
                    "allocate_shared_cost", ["cost_report": "COGS", "metric": "API requests", "daily": true],
                    ["allocate", "--cost-report", "COGS", "--metric", "API requests", "--daily"]
                ),
                (
                    "fastest_growing_metrics", ["metrics": ["CPU hours", "API requests"]],
                    ["portfolio", "--metrics", "CPU hours,API requests"]
                ),
            ] as [(String, [String: Value], [String])])
        func reportEqualsTheCLIJSON(tool: String, arguments: [String: Value], cli: [String]) async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let period = filled.period
            var withPeriod = arguments
            withPeriod["from"] = .string(period.from.description)
            withPeriod["to"] = .string(period.to.description)
            let result = try await connected.call(tool, withPeriod)
            #expect(result.isError == false, "\(result.text)")
            let structured = try #require(result.structuredContent)

            let run = try BinaryProcess.meterbridge(
                ["report"] + cli + [
                    "--from", period.from.description, "--to", period.to.description, "--format", "json",
                ],
                database: filled.database)
            #expect(run.status == 0, "\(run.stderr)")
            let printed = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? NSDictionary
            let answered = structured.foundation as? NSDictionary
            #expect(
                printed != nil && printed == answered,
                "MCP \(tool) differs from the CLI:\n\(run.stdout)\nvs\n\(result.text)")

            // Every answer says through which day it is complete and how it was computed: the import covers
            // today, which is not over, so it is complete through yesterday; cloud cost counts as final two
            // days before its latest import.
            let through = period.to.advanced(by: arguments["cost_report"] == nil ? -1 : -2)
            #expect(structured["complete_through"]?.stringValue == through.description)
            #expect(structured["notes"]?.arrayValue?.isEmpty == false)
            #expect(result.text.contains("Data complete through \(through)"))
            #expect(!structured.rows.isEmpty)
            await connected.close()
        }

        /// The numbers themselves, checked against sums read another way (the labeled values, the cost files).
        @Test func numbersAgreeWithTheDataAndTheReports() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let period: [String: Value] = [
                "from": .string(filled.period.from.description), "to": .string(filled.period.to.description),
            ]

            // top_customers' total is the sum of metric_values over the same days; the week grouping sums the same.
            let top = try await connected.structured("top_customers", period.merging(["metric": "CPU hours"]) { $1 })
            let total = try #require(top.rows.last?["total"]?.stringValue)
            let daily = try await connected.structured("metric_values", period.merging(["title": "CPU hours"]) { $1 })
            let weekly = try await connected.structured(
                "metric_values", period.merging(["title": "CPU hours", "group_by": "week"]) { $1 })
            func sum(_ object: [String: Value]) -> Decimal {
                (object["values"]?.arrayValue ?? []).reduce(Decimal.zero) {
                    $0 + DecimalMath.parse($1["amount"]?.stringValue ?? "0")!
                }
            }
            #expect(DecimalMath.parse(total) == sum(daily) && sum(daily) == sum(weekly) && sum(daily) > 0)
            #expect(daily["total"]?.stringValue == total)
            #expect(daily["complete_through"]?.stringValue == filled.period.to.advanced(by: -1).description)
            let weekStarts = Set((weekly["values"]?.arrayValue ?? []).compactMap { $0["period_start"]?.stringValue })
            #expect(
                weekStarts.count <= 3
                    && weekStarts.count
                        < Set((daily["values"]?.arrayValue ?? []).compactMap { $0["period_start"]?.stringValue }).count
            )

            // The top 2 customers, the rest in one row per day: nothing lost.
            let topTwo = try await connected.structured(
                "metric_values", period.merging(["title": "CPU hours", "top": 2]) { $1 })
            let labels = Set((topTwo["values"]?.arrayValue ?? []).compactMap { $0["label"]?.stringValue })
            #expect(labels.filter { !$0.hasPrefix("(other") }.count == 2 && labels.contains { $0.hasPrefix("(other") })
            #expect(sum(topTwo) == sum(daily))
            let ranked = top.rows.prefix(2).compactMap { $0["customer"]?.stringValue }
            #expect(Set(ranked).isSubset(of: labels))

            // One label by month: its total is its top_customers row.
            let first = try #require(top.rows.first)
            let label = try #require(first["customer"]?.stringValue)
            let monthly = try await connected.structured(
                "metric_values",
                period.merging(["title": "CPU hours", "label": .string(label), "group_by": "month"]) { $1 })
            #expect(Set((monthly["values"]?.arrayValue ?? []).compactMap { $0["label"]?.stringValue }) == [label])
            #expect(
                Set((monthly["values"]?.arrayValue ?? []).compactMap { $0["period_start"]?.stringValue }).allSatisfy {
                    $0.hasSuffix("-01")
                })
            #expect(monthly["total"]?.stringValue == first["total"]?.stringValue)

            // COGS: 10 days of 1 + 2 + 3 tagged and 7.25 shared, in USD; the EUR source is not in "COGS".
            let unitCost = try await connected.structured(
                "unit_cost", period.merging(["cost_report": "COGS", "metric": "CPU hours"]) { $1 })
            #expect(unitCost.rows.last?["cogs"]?.stringValue == "132.5")
            #expect(unitCost["currency"]?.stringValue == "USD")
            let pricing = try await connected.structured(
                "price_for_margin", period.merging(["cost_report": "COGS", "metric": "CPU hours"]) { $1 })
            #expect(pricing.rows.map { $0["target_margin_pct"]?.stringValue } == ["20", "40", "60"])
            #expect(pricing["total_cost"]?.stringValue == "132.5" && pricing["total_units"]?.stringValue == total)

            // The catalog tools.
            let metrics = try await connected.structured("list_metrics")
            let byTitle = Dictionary(
                uniqueKeysWithValues: (metrics["metrics"]?.arrayValue ?? []).compactMap { item in
                    item["title"]?.stringValue.map { ($0, item) }
                })
            #expect(byTitle.keys.sorted() == ["API requests", "CPU hours", "Peak seats", "Revenue"])
            #expect(
                byTitle["CPU hours"]?["summable"] == .bool(true) && byTitle["Peak seats"]?["summable"] == .bool(false))
            #expect(
                byTitle["Peak seats"]?["aggregation"]?.stringValue == "MAX"
                    && byTitle["Revenue"]?["currency"]?.stringValue == "USD")
            #expect(byTitle.values.allSatisfy { $0["complete_through"]?.stringValue == filled.period.to.advanced(by: -1).description })
            let reports = try await connected.structured("list_cost_reports")
            #expect(
                (reports["cost_reports"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } == [
                    "All compute", "COGS",
                ])
            let sources = try await connected.structured("list_cost_sources")
            let aws = try #require(sources["cost_sources"]?.arrayValue?.first { $0["source"]?.stringValue == "aws" })
            #expect(aws["effective_cost"]?.stringValue == "1132.5" && aws["currency"]?.stringValue == "USD")
            let status = try await connected.structured("import_status")
            let states = (status["metrics"]?.arrayValue ?? []).compactMap { $0["state"]?.stringValue }
            #expect(states == ["ready", "ready", "ready", "ready"], "\(states)")
            #expect(status["connections"]?.arrayValue?.first?["name"]?.stringValue == "sandbox")
            // And the library agrees with the tool, value for value.
            let library = try await UnitEconomicsReports(pool: connected.readPool).topCustomers(
                metric: "CPU hours", period: filled.period)
            let answered = try await connected.call("top_customers", period.merging(["metric": "CPU hours"]) { $1 })
            #expect(
                answered.structuredContent.map(\.foundation) as? NSDictionary
                    == (try JSONSerialization.jsonObject(with: Data(ReportJSON(library).text.utf8)) as? NSDictionary))
            await connected.close()
        }

        /// Bad input is a tool error that says what is wrong, with no partial answer; the server goes on.
        @Test func badInputIsAToolErrorWithAClearMessage() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let from = filled.period.from.description
            let to = filled.period.to.description
            let injection = "Revenue'; DROP TABLE metric_values; --"
            let cases: [(String, [String: Value], String)] = [
                (
                    "top_customers", ["metric": "No such metric", "from": .string(from), "to": .string(to)],
                    "no business metric titled \"No such metric\""
                ),
                (
                    "top_customers", ["metric": "CPU hours", "from": .string(to), "to": .string(from)],
                    "\"to\": \(from) is before the first day, \(to)"
                ),
                (
                    "top_customers", ["metric": "CPU hours", "from": "2015-01-01", "to": "2024-12-31"],
                    "spans 3653 days; at most 731"
                ),
                ("metric_values", ["title": .string(injection)], "no business metric titled"),
                (
                    "gross_margin", ["revenue_metric": .string(injection), "cost_report": "COGS"],
                    "no business metric titled"
                ),
                (
                    "top_customers", ["metric": "Peak seats", "from": .string(from), "to": .string(to)],
                    "cannot be summed"
                ),
                ("metric_values", ["title": "Peak seats", "group_by": "month"], "cannot be summed"),
                (
                    "unit_cost",
                    ["cost_report": "All compute", "metric": "CPU hours", "from": .string(from), "to": .string(to)],
                    "several currencies"
                ),
                (
                    "gross_margin",
                    [
                        "revenue_metric": "Revenue", "cost_report": "All compute", "from": .string(from),
                        "to": .string(to),
                    ],
                    "several currencies"
                ),
                (
                    "price_for_margin",
                    ["cost_report": "COGS", "metric": "CPU hours", "from": "2020-01-01", "to": "2020-01-31"],
                    "has no units"
                ),
                (
                    "unit_cost", ["cost_report": "No such report", "metric": "CPU hours"],
                    "no cost report named No such report"
                ),
                ("top_customers", ["metrc": "CPU hours"], "unknown argument \"metrc\""),
                ("top_customers", [:], "missing required argument \"metric\""),
                ("metric_values", ["title": "CPU hours", "top": "five"], "\"top\" must be an integer"),
                (
                    "metric_values", ["title": "CPU hours", "from": "2025-02-30", "to": "2025-03-01"],
                    "must be a UTC day"
                ),
                ("top_customers", ["metric": "CPU hours", "from": .string(from)], "\"to\": is needed with the first day"),
                ("unit_cost", ["cost_report": "COGS", "metric": "CPU hours", "scale": 7], "\"scale\" must be one of"),
                (
                    "price_for_margin", ["cost_report": "COGS", "metric": "CPU hours", "target_margins": [100]],
                    "below 100%"
                ),
                ("retry_failed_jobs", [:], "only when the server runs with --allow-actions"),
                ("no_such_tool", [:], "unknown tool"),
            ]
            for (tool, arguments, message) in cases {
                let result = try await connected.call(tool, arguments)
                #expect(result.isError == true, "\(tool) \(arguments) should fail")
                #expect(result.structuredContent == nil, "\(tool): no partial answer")
                #expect(result.text.contains(message), "\(tool) \(arguments): \(result.text)")
            }
            // Nothing was dropped, and the server still answers.
            let values = try await connected.structured("metric_values", ["title": "CPU hours"])
            #expect(values["values"]?.arrayValue?.isEmpty == false)
            await connected.close()
        }

        /// The server's sessions are read only: even a statement that slipped past the tools could not write.
        @Test func theDatabaseSessionIsReadOnly() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let error = await #expect(throws: PostgresError.self) {
                try await connected.readPool.query("DELETE FROM metric_values")
            }
            #expect(error?.sqlState?.rawValue == "25006", "read_only_sql_transaction")
            #expect(
                try await connected.readPool.query("SELECT count(*) FROM metric_values").single().decode(
                    Int.self, at: 0)
                    > 0)
            await connected.close()
        }

        @Test func resourcesDescribeTheCatalogAndTheViews() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let (resources, _) = try await connected.client.listResources()
            #expect(resources.map(\.uri).sorted() == ["meterbridge://catalog/metrics", "meterbridge://docs/bi-views"])
            let catalog = try await connected.client.readResource(uri: "meterbridge://catalog/metrics")
            let text = try #require(catalog.first?.text)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(
                (object["metrics"] as? [[String: Any]])?.compactMap { $0["title"] as? String }.sorted()
                    == ["API requests", "CPU hours", "Peak seats", "Revenue"])
            let views = try #require(
                try await connected.client.readResource(uri: "meterbridge://docs/bi-views").first?.text)
            for view in ["metric_values_labeled", "unit_cost_daily", "customer_margin_daily", "daily_cost_by_customer"]
            {
                #expect(views.contains("## \(view)"))
            }
            #expect(views.contains("`cost_per_unit` numeric"), "columns come from the database")
            #expect(!views.contains("not in this database"))
            await #expect(throws: (any Error).self) {
                try await connected.client.readResource(uri: "meterbridge://nothing")
            }
            await connected.close()
        }

        @Test func promptsChainTheTools() async throws {
            let filled = try await MCPFixture.shared.database()
            let connected = try await ConnectedClient.connect(filled.database)
            let (prompts, _) = try await connected.client.listPrompts()
            #expect(prompts.map(\.name).sorted() == ["monthly_margin_review", "pricing_check"])
            let review = try await connected.client.getPrompt(
                name: "monthly_margin_review",
                arguments: ["revenue_metric": "Revenue", "cost_report": "COGS", "month": "2026-02"])
            guard case .text(let text) = try #require(review.messages.first).content else {
                Issue.record("the review is text")
                return
            }
            #expect(text.contains("gross_margin") && text.contains("from \"2026-02-01\", to \"2026-02-28\""))
            #expect(text.contains("from \"2026-01-01\", to \"2026-01-31\""), "the month before")
            await #expect(throws: (any Error).self) {
                try await connected.client.getPrompt(name: "monthly_margin_review", arguments: ["cost_report": "COGS"])
            }
            await connected.close()
        }
    }
}
