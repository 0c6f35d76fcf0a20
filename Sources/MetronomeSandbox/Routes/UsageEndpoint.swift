import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `POST /v1/usage`: batched usage, one (customer, billable metric) pair per page.
///
/// Pages: pairs in account order (customers, then metrics within a customer), each pair's windows
/// split into pages of at most `usageWindowsPerPage`. The cursor travels in the query string; the
/// body must be resent unchanged. `limit` is refused with a 400, as Metronome does.
enum UsageEndpoint {
    static func handle(_ request: Request, body: ByteBuffer, _ state: SandboxState) throws(APIError) -> Response {
        let query = QueryReader(request)
        if query.has("limit") {
            throw .badRequest("limit is not supported on /v1/usage: the page size is set by the server")
        }
        let plan = try UsagePlan(body: body, state: state)
        let paging = try CursorPaging(query: query, signature: plan.signature)
        let pageKey = "POST /v1/usage|\(plan.signature)|\(paging.cursorText)"

        if paging.mayInjectEmptyPage, plan.pageCount > 0, state.faults.drawEmptyPage() {
            state.stats.recordFault("empty_page")
            return SandboxResponses.emptyPage(nextCursor: paging.emptyPageCursor, pageKey: pageKey)
        }
        guard paging.position < max(plan.pageCount, 1) else {
            throw .badRequest("Invalid next_page: past the end of the result")
        }
        var writer = JSONWriter(capacity: 64)
        if plan.pageCount > 0 {
            render(page: paging.position, plan: plan, state: state, into: &writer.buffer)
        } else {
            writer.buffer.writeStaticString("{\"data\":[]")
        }
        let next = paging.nextCursor(at: paging.position + 1 < plan.pageCount ? paging.position + 1 : nil, state: state)
        if let next {
            writer.buffer.writeStaticString(",\"next_page\":\"")
            writer.buffer.writeString(next)
            writer.buffer.writeStaticString("\"}")
        } else {
            writer.buffer.writeStaticString(",\"next_page\":null}")
        }
        return SandboxResponses.json(writer, pageKey: pageKey)
    }

    /// Writes `{"data":[...]` for one page (the caller closes the object).
    static func render(page: Int, plan: UsagePlan, state: SandboxState, into buffer: inout ByteBuffer) {
        let pair = page / plan.pagesPerPair
        let pageInPair = page % plan.pagesPerPair
        let customer = plan.customers[pair / plan.metrics.count]
        let selection = plan.metrics[pair % plan.metrics.count]
        let metric = selection.metric
        let first = pageInPair * plan.windowsPerPage
        let end = min(first + plan.windowsPerPage, plan.windowCount)
        let account = state.account

        var prefix = "{\"customer_id\":\"\(customer.id)\",\"billable_metric_id\":\"\(metric.id)\","
        prefix += "\"billable_metric_name\":\(JSONWriter.quoted(metric.name)),\"start_timestamp\":\""
        buffer.reserveCapacity(minimumWritableBytes: (end - first) * (prefix.utf8.count + 110) + 64)
        buffer.writeStaticString("{\"data\":[")
        for window in first..<end {
            if window > first { buffer.writeStaticString(",") }
            buffer.writeString(prefix)
            let value: String
            switch plan.windowSize {
            case .day:
                let day = plan.firstDay.adding(days: window)
                let style = state.timestampStyle(
                    UInt64(customer.index), UInt64(metric.index), UInt64(bitPattern: Int64(day.daysSinceEpoch)))
                buffer.writeString(state.stamps.midnight(day, style))
                buffer.writeStaticString("\",\"end_timestamp\":\"")
                buffer.writeString(state.stamps.midnight(day.adding(days: 1), style))
                value = account.usage.jsonText(
                    customer: customer.index,
                    metric: metric.index,
                    dayOffset: day.daysSinceEpoch - account.firstDay.daysSinceEpoch
                )
            case .hour:
                let start = Timestamp(seconds: plan.start.seconds + Int64(window) * 3600)
                let style = state.timestampStyle(
                    UInt64(customer.index), UInt64(metric.index), UInt64(bitPattern: start.seconds))
                buffer.writeString(start.formatted(style))
                buffer.writeStaticString("\",\"end_timestamp\":\"")
                buffer.writeString(Timestamp(seconds: start.seconds + 3600).formatted(style))
                let day = start.day
                let hour = Int((start.seconds - day.unixSeconds) / 3600)
                value =
                    hour
                        == UsagePlan.activeHour(
                            seed: account.parameters.seed, customer: customer.index, metric: metric.index, day: day)
                    ? account.usage.jsonText(
                        customer: customer.index,
                        metric: metric.index,
                        dayOffset: day.daysSinceEpoch - account.firstDay.daysSinceEpoch
                    ) : "null"
            case .none:
                buffer.writeString(plan.start.formatted(.zulu))
                buffer.writeStaticString("\",\"end_timestamp\":\"")
                buffer.writeString(plan.end.formatted(.zulu))
                value = plan.aggregate(customer: customer, metric: metric, account: account)
            }
            buffer.writeStaticString("\",\"value\":")
            buffer.writeString(value)
            if let groupBy = selection.groupBy {
                buffer.writeStaticString(",\"groups\":{")
                for (index, groupValue) in groupBy.values.enumerated() {
                    if index > 0 { buffer.writeStaticString(",") }
                    buffer.writeString(JSONWriter.quoted(groupValue))
                    buffer.writeStaticString(":")
                    // The whole value falls in the first group, so groups always sum to the value.
                    buffer.writeString(index == 0 ? value : "null")
                }
                buffer.writeStaticString("}")
            }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString("]")
    }
}
