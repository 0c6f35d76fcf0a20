import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /v1/customers/{customer_id}/invoices/breakdowns`: one item per (invoice, window).
///
/// Pages: the requested range is cut into chunks of 35 daily (or 24 hourly) windows, in `sort`
/// order; a chunk is one page, or several of at most `limit` items when `limit` is given. Within a
/// chunk, items go window by window, and within a window by `issued_at` then invoice id. A chunk
/// without invoices is an empty page that still carries a cursor, as Metronome's can be.
/// Windows are those that start on or after `starting_on` and end on or before `ending_before`.
enum InvoiceBreakdownEndpoint {
    static func handle(_ customerID: String, _ request: Request, _ state: SandboxState) throws(APIError) -> Response {
        let customer = try CustomerEndpoints.find(customerID, state)
        let query = QueryReader(request)
        guard let startText = query.string("starting_on") else { throw .badRequest("starting_on is required") }
        guard let endText = query.string("ending_before") else { throw .badRequest("ending_before is required") }
        guard let start = Timestamp.parse(startText) else {
            throw .badRequest("starting_on must be an RFC 3339 timestamp")
        }
        guard let end = Timestamp.parse(endText) else {
            throw .badRequest("ending_before must be an RFC 3339 timestamp")
        }
        guard start < end else { throw .badRequest("ending_before must be after starting_on") }
        let hourly: Bool
        switch (query.string("window_size") ?? "day").lowercased() {
        case "day": hourly = false
        case "hour": hourly = true
        default: throw .badRequest("window_size must be hour or day")
        }
        let limit: Int? = query.has("limit") ? try query.limit(default: 100) : nil
        let status = query.string("status")?.uppercased()
        if let status, !["DRAFT", "FINALIZED", "VOID"].contains(status) {
            throw .badRequest("status must be DRAFT or FINALIZED")
        }
        let sort = query.string("sort") ?? "date_asc"
        guard sort == "date_asc" || sort == "date_desc" else { throw .badRequest("sort must be date_asc or date_desc") }
        let descending = sort == "date_desc"
        let creditTypeID = query.string("credit_type_id")
        let skipZero = try query.bool("skip_zero_qty_line_items") ?? false

        // Whole windows inside [start, end).
        let unit: Int64 = hourly ? 3600 : 86_400
        let firstWindow = (start.seconds + (start.nanoseconds > 0 ? 1 : 0) + unit - 1).floorDiv(unit)
        let endWindow = end.seconds.floorDiv(unit)
        let windowCount = Int(max(0, endWindow - firstWindow))
        let perChunk = hourly ? SandboxConfiguration.breakdownHoursPerPage : SandboxConfiguration.breakdownDaysPerPage
        let chunkCount = max(1, (windowCount + perChunk - 1) / perChunk)

        let signature = [
            "GET /v1/customers/\(customer.id)/invoices/breakdowns", "\(start.seconds).\(start.nanoseconds)",
            "\(end.seconds).\(end.nanoseconds)", hourly ? "HOUR" : "DAY", "limit=\(limit.map(String.init) ?? "*")",
            "status=\(status ?? "*")", "sort=\(sort)", "ct=\(creditTypeID ?? "*")", "skip=\(skipZero)",
        ].joined(separator: "|")
        let paging = try CursorPaging(query: query, signature: signature)
        let pageKey = "\(signature)|\(paging.cursorText)"
        if paging.mayInjectEmptyPage, state.faults.drawEmptyPage() {
            state.stats.recordFault("empty_page")
            return SandboxResponses.emptyPage(nextCursor: paging.emptyPageCursor, pageKey: pageKey)
        }

        // Position = chunk × 1,000,000 + item offset within the chunk.
        let chunk = paging.position / 1_000_000
        let offset = paging.position % 1_000_000
        guard chunk < chunkCount else { throw .badRequest("Invalid next_page: past the end of the result") }

        let invoices = state.account.invoicesByCustomer[customer.index].filter { invoice in
            (status.map { invoice.status == $0 } ?? true) && (creditTypeID.map { invoice.creditType.id == $0 } ?? true)
        }.sorted { ($0.issuedAt, $0.id) < ($1.issuedAt, $1.id) }
        let ordered = descending ? Array(invoices.reversed()) : invoices

        // The chunk's windows, in sort order.
        let chunkWindows: [Int64] = {
            guard windowCount > 0 else { return [] }
            let chunkInOrder = descending ? chunkCount - 1 - chunk : chunk
            let low = firstWindow + Int64(chunkInOrder * perChunk)
            let high = min(low + Int64(perChunk), endWindow)
            let windows = Array(low..<high)
            return descending ? windows.reversed() : windows
        }()

        // Only the page's items have their line items computed.
        var items: [(invoice: SandboxInvoice, day: CivilDay, start: Int64)] = []
        for window in chunkWindows {
            let day = CivilDay(containingUnixSeconds: window * unit)
            for invoice in ordered where invoice.hasWindow(on: day) {
                items.append((invoice, day, window * unit))
            }
        }
        let pageEnd = limit.map { min(offset + $0, items.count) } ?? items.count
        let pageItems = offset < items.count ? items[offset..<pageEnd] : []
        let nextPosition: Int? =
            pageEnd < items.count
            ? chunk * 1_000_000 + pageEnd : (chunk + 1 < chunkCount ? (chunk + 1) * 1_000_000 : nil)

        var writer = JSONWriter(capacity: 1200 * pageItems.count + 64)
        writer.beginObject()
        writer.key("data")
        writer.beginArray()
        for item in pageItems {
            guard let window = item.invoice.window(on: item.day) else { continue }
            let active = !hourly || Int((item.start - item.day.unixSeconds) / 3600) == window.activeHour
            let style = state.timestampStyle(UInt64(customer.index), UInt64(bitPattern: item.start))
            writeItem(
                invoice: item.invoice,
                window: window,
                windowStart: Timestamp(seconds: item.start),
                windowEnd: Timestamp(seconds: item.start + unit),
                hasLines: active,
                skipZero: skipZero,
                style: style,
                into: &writer
            )
        }
        writer.endArray()
        writer.field("next_page", optional: paging.nextCursor(at: nextPosition, state: state))
        writer.endObject()
        return SandboxResponses.json(writer, pageKey: pageKey)
    }

    static func writeItem(
        invoice: SandboxInvoice,
        window: SandboxBreakdownWindow,
        windowStart: Timestamp,
        windowEnd: Timestamp,
        hasLines: Bool,
        skipZero: Bool,
        style: TimestampStyle,
        into writer: inout JSONWriter
    ) {
        let lines = hasLines ? window.lineItems.filter { !skipZero || $0.quantity != 0 } : []
        writer.beginObject()
        writer.field("id", invoice.id)
        writer.field("customer_id", invoice.customerID)
        writer.field("type", invoice.type)
        writer.field("status", invoice.status)
        writer.key("credit_type")
        AccountJSON.creditType(invoice.creditType, includeIsCurrency: false, into: &writer)
        writer.field("start_timestamp", Timestamp(day: invoice.periodStart).formatted(style))
        writer.field("end_timestamp", Timestamp(day: invoice.periodEnd).formatted(style))
        writer.field("issued_at", invoice.issuedAt.formatted(style))
        writer.field("contract_id", invoice.contractID)
        if invoice.includesSubtotal {
            writer.key("external_invoice")
            writer.null()
        }
        writer.key("line_items")
        writer.beginArray()
        for line in lines {
            writer.beginObject()
            writer.key("credit_type")
            AccountJSON.creditType(line.creditType, includeIsCurrency: false, into: &writer)
            writer.field("name", line.name)
            writer.field("type", line.type)
            if let quantity = line.quantity {
                writer.key("quantity")
                writer.raw("\(quantity)")
            }
            if let unitPrice = line.unitPrice {
                writer.key("unit_price")
                writer.raw("\(unitPrice)")
            }
            writer.key("total")
            writer.raw("\(line.total)")
            if let productID = line.productID { writer.field("product_id", productID) }
            if let commitID = line.appliedCommitID {
                writer.key("applied_commit_or_credit")
                writer.beginObject()
                writer.field("id", commitID)
                writer.field("type", "PREPAID")
                writer.endObject()
            }
            writer.endObject()
        }
        writer.endArray()
        if invoice.includesSubtotal {
            writer.key("subtotal")
            writer.raw(hasLines ? "\(window.subtotal)" : "0")
        }
        writer.key("total")
        writer.raw(hasLines ? "\(window.total)" : "0")
        writer.key("custom_fields")
        writer.beginObject()
        writer.endObject()
        writer.field("breakdown_start_timestamp", windowStart.formatted(style))
        writer.field("breakdown_end_timestamp", windowEnd.formatted(style))
        writer.endObject()
    }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
