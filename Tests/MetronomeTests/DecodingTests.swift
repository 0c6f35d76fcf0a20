import Foundation
import Testing

@testable import Metronome

@Suite("Decoding Metronome bodies", .timeLimit(.minutes(5)))
struct DecodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try MetronomeJSON.makeDecoder().decode(T.self, from: Data(json.utf8))
    }

    func decimal(_ text: String) -> Decimal { Decimal(string: text)! }

    @Test("customer list: aliases, archived_at, missing and unknown fields")
    func customers() throws {
        let page = try decode(PageEnvelope<Customer>.self, Fixtures.customersList)
        #expect(page.nextPage == nil)
        #expect(page.data.count == 2)
        let first = page.data[0]
        #expect(first.name == "Example Networks, Ltd.")
        #expect(first.ingestAliases == ["ops@example.net", "acct-001"])
        #expect(first.salesforceAccountID == "0015500001AAAAAAA1")
        #expect(first.customFields == ["x_account_id": "Q1w2E3r4"])
        #expect(!first.isArchived)
        let second = page.data[1]
        #expect(second.name == "Ünïcödé 株式会社")
        #expect(second.ingestAliases.isEmpty)
        #expect(second.updatedAt == nil)
        #expect(second.salesforceAccountID == nil)
        #expect(second.archivedAt == RFC3339.parse("2024-06-30T12:00:00Z"))
        #expect(second.createdAt == first.createdAt)
    }

    @Test("single customer comes wrapped in data")
    func customer() throws {
        let customer = try decode(DataEnvelope<Customer>.self, Fixtures.customerGet).data
        #expect(customer.id == "0a1b2c3d-0000-4000-8000-000000000001")
        #expect(customer.ingestAliases == ["ops@example.net"])
    }

    @Test("billable metrics: aggregation casing normalized, deprecated aggregate as fallback")
    func metrics() throws {
        let page = try decode(PageEnvelope<BillableMetric>.self, Fixtures.billableMetricsList)
        #expect(page.nextPage == "cursor-2")
        #expect(page.data.map(\.aggregationType) == [.sum, .max, .count])
        #expect(page.data[0].groupKeys == [["region"], ["region", "zone"]])
        #expect(page.data[1].isArchived)
        #expect(page.data[2].customFields.isEmpty)
    }

    @Test("credit types: the divisor comes from the (cents) suffix")
    func creditTypes() throws {
        let page = try decode(PageEnvelope<CreditType>.self, Fixtures.creditTypesList)
        #expect(page.data.map(\.amountDivisor) == [100, 1, 1])
        #expect(page.data.map(\.isCurrency) == [true, true, false])
    }

    @Test("usage values are exact decimals and null stays distinct from 0")
    func usage() throws {
        let page = try decode(PageEnvelope<UsageAggregate>.self, Fixtures.usagePage)
        #expect(page.nextPage == "bmV4dA==")
        let values = page.data.map(\.value)
        #expect(values[0] == 4321)
        #expect(values[1] == nil)
        #expect(values[2] == 0)
        #expect(values[3] == decimal("0.30000000000000004"))
        #expect(values[4] == decimal("-12.75"))
        #expect(values[5] == decimal("123456789012345678901234.5678"))
        #expect(values[6] == nil, "a missing value reads as null")
        #expect(page.data[6].billableMetricName == nil)
        // Every timestamp variant lands on the same UTC days.
        #expect(page.data.map(\.day.description) == (1...7).map { "2024-01-0\($0)" })
        #expect(page.data[2].endTimestamp == UTCDay("2024-01-04")!.start)
    }

    @Test("grouped usage keeps null groups and an empty cursor ends the walk")
    func groupedUsage() throws {
        let page = try decode(PageEnvelope<UsageAggregate>.self, Fixtures.usageGroupedPage)
        let groups = try #require(page.data.first?.groups)
        #expect(groups["EU"] == .some(0))
        #expect(groups["NA"] == .some(decimal("2.5")))
        #expect(groups["APAC"] == .some(nil))
        #expect(Page(items: page.data, cursor: nil, nextCursor: page.nextPage).isLast)
    }

    @Test("breakdowns: repeated invoice ids, applied commits, optional subtotal, casing")
    func breakdowns() throws {
        let page = try decode(PageEnvelope<InvoiceBreakdown>.self, Fixtures.breakdownsPage)
        #expect(page.data.count == 2)
        #expect(page.data[0].invoice.id == page.data[1].invoice.id)
        #expect(page.data.map(\.day.description) == ["2024-01-01", "2024-01-02"])
        let first = page.data[0].invoice
        #expect(first.status == .draft)
        #expect(first.total == decimal("14392.5"))
        #expect(first.subtotal == decimal("14392.5"))
        #expect(first.creditType?.amountDivisor == 100)
        let second = page.data[1].invoice
        #expect(second.status == .finalized)
        #expect(second.type == .usage)
        #expect(second.subtotal == nil)
        #expect(second.total == 0)
        #expect(second.lineItems.map(\.isAppliedCommitOrCredit) == [false, true])
        #expect(second.lineItems[1].appliedCommitOrCredit?.type == "PREPAID")
        #expect(second.lineItems.filter { !$0.isAppliedCommitOrCredit }.reduce(Decimal(0)) { $0 + $1.total } == 3700)
    }

    @Test("the error body")
    func errorBody() throws {
        #expect(try decode(MetronomeErrorBody.self, Fixtures.errorBody).message == "Descriptive error text")
    }

    @Test("numbers sent as strings are tolerated, non-numbers are not")
    func numericStrings() throws {
        let ok = #"{"name":"x","type":"usage","total":"12.50","credit_type":null}"#
        #expect(try decode(InvoiceLineItem.self, ok).total == decimal("12.5"))
        let bad = #"{"name":"x","type":"usage","total":"12abc"}"#
        #expect(throws: DecodingError.self) { try decode(InvoiceLineItem.self, bad) }
    }

    @Test("a page without data is not an empty page")
    func missingData() {
        #expect(throws: DecodingError.self) { try decode(PageEnvelope<Customer>.self, #"{"next_page": null}"#) }
    }

    @Test("the fields an import keys on are required")
    func requiredFields() {
        #expect(throws: DecodingError.self) {
            try decode(
                UsageAggregate.self,
                #"{"customer_id":"c","start_timestamp":"2024-01-01T00:00:00Z","end_timestamp":"2024-01-02T00:00:00Z"}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(Invoice.self, #"{"id":"i","customer_id":"c","line_items":[]}"#)
        }
        #expect(throws: DecodingError.self) {
            try decode(
                UsageAggregate.self,
                #"{"customer_id":"c","billable_metric_id":"m","start_timestamp":"yesterday","end_timestamp":"2024-01-02T00:00:00Z"}"#
            )
        }
    }
}
