import Mustache

/// The console's Mustache templates, compiled into the binary. `{{name}}` escapes HTML (`<`, `>`, `&`,
/// quotes); `{{{name}}}` is used only for markup the console builds itself (charts, the page body).
/// Customer labels sit in `<bdi>` so right-to-left names cannot reorder the text around them.
enum ConsoleTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in sources {
            do { try library.register(text, named: name) } catch { preconditionFailure("template \(name): \(error)") }
        }
        return library
    }()

    static let sources: [(String, String)] = [
        ("layout", layout), ("overview", overview), ("metrics", metrics), ("metric", metric), ("jobs", jobs),
        ("job", job),
        ("confirm", confirm), ("message", message), ("reports", reports), ("report", report), ("costs", costs),
        ("login", login), ("table", ConsoleTable.template),
        ("marginHome", ConsoleServer.marginHomeTemplate), ("reportFields", reportFields),
    ]

    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · MeterBridge</title>
        <link rel="stylesheet" href="/static/console.css">
        <script src="/static/console.js" defer></script>
        </head>
        <body>
        <header>
        <span class="brand">MeterBridge</span>
        <nav>{{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{name}}</a>{{/nav}}</nav>
        <span class="session">{{#readOnly}}<span>read-only</span>{{/readOnly}}<span id="live-status"></span>
        {{#signedIn}}<form class="inline" method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" type="submit">Sign out</button></form>{{/signedIn}}
        </span>
        </header>
        <main>
        <h1>{{title}}</h1>
        {{{content}}}
        </main>
        </body>
        </html>

        """

    static let overview = """
        <section class="card" id="connections" data-live>
        <h2>Connections</h2>
        {{^connections}}<p class="muted">No connections yet: <code>meterbridge connection add</code>.</p>{{/connections}}
        {{^empty(connections)}}<div class="scroll"><table>
        <thead><tr><th>connection</th><th>status</th><th>requests/s</th><th>budget</th><th class="num">requests</th><th class="num">429s</th><th>last error</th></tr></thead>
        <tbody>{{#connections}}<tr><td>{{name}}</td><td class="status-{{status}}">{{status}}</td>
        <td><meter min="0" max="{{rateLimit}}" value="{{rate}}" title="{{rate}} of {{rateLimit}} requests/s"></meter> {{rate}}</td>
        <td>{{rateLimit}}/s</td><td class="num">{{requests}}</td><td class="num">{{rateLimited}}</td><td class="wrap">{{lastError}}</td></tr>{{/connections}}</tbody>
        </table></div>{{/empty(connections)}}
        </section>
        <section class="card" id="queues" data-live>
        <h2>Queues</h2>
        <div class="scroll"><table>
        <thead><tr><th>queue</th><th>paused</th>{{#states}}<th class="num">{{.}}</th>{{/states}}{{#actions}}<th></th>{{/actions}}</tr></thead>
        <tbody>{{#queues}}<tr><td><a href="/jobs?queue={{name}}">{{name}}</a></td><td>{{#paused}}paused{{/paused}}{{^paused}}no{{/paused}}</td>
        {{#counts}}<td class="num">{{.}}</td>{{/counts}}
        {{#actions}}<td>{{#paused}}<form class="inline" method="post" action="/queues/{{name}}/resume"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Resume</button></form>{{/paused}}{{^paused}}<form class="inline" method="post" action="/queues/{{name}}/pause"><input type="hidden" name="csrf" value="{{csrf}}"><button class="secondary" type="submit">Pause</button></form>{{/paused}}</td>{{/actions}}</tr>{{/queues}}</tbody>
        </table></div>
        </section>
        <section class="card" id="throughput" data-live>
        <h2>Jobs completed per minute, last hour</h2>
        {{{sparkline}}}
        <p class="muted">{{completedLastHour}} completed in the last hour; at most {{peakPerMinute}} in one minute.</p>
        </section>
        <section class="card" id="incomplete" data-live>
        <h2>Metrics not complete through yesterday ({{yesterday}})</h2>
        {{^incomplete}}<p>Every metric is complete through yesterday.</p>{{/incomplete}}
        {{^empty(incomplete)}}<div class="scroll"><table><thead><tr><th>metric</th><th>status</th><th>complete through</th><th class="num">done</th></tr></thead>
        <tbody>{{#incomplete}}<tr><td><a href="/metrics/{{id}}">{{title}}</a></td><td class="state-{{status}}">{{status}}</td><td>{{completeThrough}}</td><td class="num">{{percent}}%</td></tr>{{/incomplete}}</tbody></table></div>{{/empty(incomplete)}}
        </section>

        """

    static let metrics = """
        <section class="card" id="metric-list" data-live>
        {{^metrics}}<p class="muted">No metrics yet: <code>meterbridge metric create</code>.</p>{{/metrics}}
        {{^empty(metrics)}}<div class="scroll"><table>
        <thead><tr><th>Title</th><th>Kind</th><th>Source</th><th>Label source</th><th>Status</th><th>Complete through</th><th class="num">Rows</th></tr></thead>
        <tbody>{{#metrics}}<tr><td><a href="/metrics/{{id}}">{{title}}</a></td><td>{{kind}}</td><td>{{source}}</td><td>{{labelSource}}</td>
        <td class="state-{{status}}">{{status}}</td><td>{{completeThrough}}</td><td class="num">{{rows}}</td></tr>{{/metrics}}</tbody>
        </table></div>{{/empty(metrics)}}
        </section>

        """

    static let metric = """
        <dl class="facts"><dt>kind</dt><dd>{{kind}}</dd><dt>source</dt><dd>{{source}}</dd><dt>label source</dt><dd>{{labelSource}}</dd>
        <dt>status</dt><dd class="state-{{status}}">{{status}}</dd><dt>complete through</dt><dd>{{completeThrough}}</dd><dt>rows</dt><dd>{{rows}}</dd></dl>
        <section class="card">
        <form class="filters" method="get" action="/metrics/{{id}}">
        <label>from <input type="date" name="from" value="{{from}}" required></label>
        <label>to <input type="date" name="to" value="{{to}}" required></label>
        <label>top labels <input type="number" name="top" min="1" max="20" value="{{top}}"></label>
        <button type="submit">Show</button>
        <a href="/metrics/{{id}}/values.csv?from={{from}}&amp;to={{to}}" download>Download CSV</a>
        </form>
        </section>
        {{#error}}<p class="error">{{.}}</p>{{/error}}
        <section class="card chart">{{{chart}}}</section>
        <section class="card">
        <h2>Totals by label, {{from}} to {{to}}</h2>
        {{#totals}}{{> table}}{{/totals}}
        </section>
        <section class="card">
        <h2>Values</h2>
        {{#truncated}}<p class="notice">Showing the first {{shown}} of {{count}} values; the CSV has them all.</p>{{/truncated}}
        {{#values}}{{> table}}{{/values}}
        </section>
        {{#actions}}<section class="card">
        <h2>Reimport a date range</h2>
        <p class="muted">Imports the days again below the daily sync's priority; rerunning while a reimport is queued adds nothing.</p>
        <form class="filters" method="post" action="/metrics/{{id}}/reimport">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>from <input type="date" name="from" value="{{from}}" required></label>
        <label>to <input type="date" name="to" value="{{to}}" required></label>
        <button type="submit">Reimport</button>
        </form>
        </section>{{/actions}}

        """

    static let jobs = """
        <section class="card">
        <form class="filters" method="get" action="/jobs">
        <label>state <select name="state"><option value="">any</option>{{#stateOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/stateOptions}}</select></label>
        <label>queue <select name="queue"><option value="">any</option>{{#queueOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/queueOptions}}</select></label>
        <label>kind <select name="kind"><option value="">any</option>{{#kindOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/kindOptions}}</select></label>
        <label>metric <select name="metric"><option value="">any</option>{{#metricOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/metricOptions}}</select></label>
        <label>connection <select name="connection"><option value="">any</option>{{#connectionOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/connectionOptions}}</select></label>
        <label>finished since <input type="date" name="since" value="{{since}}"></label>
        <button type="submit">Filter</button>
        </form>
        {{#bulkRetry}}<p><a href="/jobs/retry-failed?{{query}}">Retry the failed jobs this filter shows…</a></p>{{/bulkRetry}}
        </section>
        {{#error}}<p class="error">{{.}}</p>{{/error}}
        <section class="card" id="job-list" data-live>
        <p class="muted">{{count}} job(s), newest first{{#limited}} (the newest {{limit}}){{/limited}}.</p>
        <div class="scroll"><table>
        <thead><tr><th class="num">id</th><th>queue</th><th>kind</th><th>state</th><th class="num">attempt</th><th>run at</th><th>last error</th></tr></thead>
        <tbody>{{#jobs}}<tr><td class="num"><a href="/jobs/{{id}}">{{id}}</a></td><td>{{queue}}</td><td>{{kind}}</td><td class="state-{{state}}">{{state}}</td>
        <td class="num">{{attempt}}/{{maxAttempts}}</td><td>{{runAt}}</td><td class="wrap">{{#lastError}}<bdi{{#full}} title="{{.}}"{{/full}}>{{text}}</bdi>{{/lastError}}</td></tr>{{/jobs}}</tbody>
        </table></div>
        </section>

        """

    static let job = """
        <section class="card" id="job" data-live>
        <dl class="facts"><dt>queue</dt><dd>{{queue}}</dd><dt>kind</dt><dd>{{kind}}</dd><dt>state</dt><dd class="state-{{state}}">{{state}}</dd>
        <dt>attempt</dt><dd>{{attempt}} of {{maxAttempts}}</dd><dt>snoozes</dt><dd>{{snoozes}}</dd><dt>priority</dt><dd>{{priority}}</dd>
        <dt>run at</dt><dd>{{runAt}}</dd><dt>created</dt><dd>{{createdAt}}</dd><dt>attempted</dt><dd>{{attemptedAt}}</dd><dt>finished</dt><dd>{{finalizedAt}}</dd>
        <dt>lease</dt><dd>{{#lockedBy}}held by {{lockedBy}} until {{leaseExpiresAt}}{{/lockedBy}}{{^lockedBy}}none{{/lockedBy}}</dd>
        <dt>unique key</dt><dd>{{uniqueKey}}</dd></dl>
        <h2>Args</h2><pre>{{args}}</pre>
        <h2>Cursor</h2>{{#cursor}}<pre>{{cursor}}</pre>{{/cursor}}{{^cursor}}<p class="muted">No checkpoint saved.</p>{{/cursor}}
        <h2>Errors</h2>
        {{^errors}}<p class="muted">No errors.</p>{{/errors}}
        {{^empty(errors)}}<div class="scroll"><table><thead><tr><th class="num">attempt</th><th>at</th><th>kind</th><th>error</th></tr></thead>
        <tbody>{{#errors}}<tr><td class="num">{{attempt}}</td><td>{{at}}</td><td>{{kind}}</td><td class="wrap">{{error}}</td></tr>{{/errors}}</tbody></table></div>{{/empty(errors)}}
        </section>
        {{#actions}}<section class="card">
        {{#canRetry}}<form class="inline" method="post" action="/jobs/{{id}}/retry"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Retry</button></form>{{/canRetry}}
        {{#canCancel}}<form class="inline" method="post" action="/jobs/{{id}}/cancel"><input type="hidden" name="csrf" value="{{csrf}}"><button class="danger" type="submit">Cancel</button></form>{{/canCancel}}
        </section>{{/actions}}

        """

    static let confirm = """
        <section class="card">
        {{#hasJobs}}<p>This requeues <strong>{{count}}</strong> failed (discarded) job(s) matching the filter: {{ids}}.</p>
        <form method="post" action="/jobs/retry-failed">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
        <input type="hidden" name="expected" value="{{count}}">
        <button type="submit">Requeue {{count}} job(s)</button> <a href="/jobs?{{query}}">Back</a>
        </form>{{/hasJobs}}
        {{^hasJobs}}<p>No failed jobs match the filter. <a href="/jobs?{{query}}">Back</a></p>{{/hasJobs}}
        </section>

        """

    static let message = """
        <p class="{{kind}}">{{text}}</p>
        <p><a href="{{back}}">Back</a></p>

        """

    static let reports = """
        {{#error}}<p class="error">{{.}}</p>{{/error}}
        {{> marginHome}}
        <h2>Reports</h2>
        <div class="reports">
        {{#forms}}<section class="card" id="{{name}}"><h2>{{title}}</h2><p class="muted">{{summary}}</p>
        <form method="get" action="/reports/{{name}}">
        {{> reportFields}}
        <label>from <input type="date" name="from"></label>
        <label>to <input type="date" name="to"></label>
        <p class="muted">Without dates: the last 30 days complete on every input.</p>
        <button type="submit">Run</button>
        </form></section>{{/forms}}
        </div>

        """

    /// A report's inputs, each chosen from what exists (the landing page's cards and each report's page).
    static let reportFields = """
        {{#needsCostReport}}<label>cost report <select name="cost-report" required>{{#costReports}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/costReports}}</select></label>{{/needsCostReport}}
        {{#needsRevenueMetric}}<label>revenue metric <select name="revenue-metric" required>{{#revenueMetrics}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/revenueMetrics}}</select></label>{{/needsRevenueMetric}}
        {{#needsMetric}}<label>{{metricLabel}} <select name="metric"{{#metricRequired}} required{{/metricRequired}}>{{^metricRequired}}<option value=""{{#noMetric}} selected{{/noMetric}}>none</option>{{/metricRequired}}{{#usageMetrics}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/usageMetrics}}</select></label>{{/needsMetric}}
        {{#needsMetrics}}<label>metrics <select name="metrics" multiple required>{{#usageMetrics}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/usageMetrics}}</select></label>{{/needsMetrics}}
        {{#needsScale}}<label>per units <select name="scale">{{#scales}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/scales}}</select></label>{{/needsScale}}
        {{#needsMargins}}<label>target margins (%) <input name="target-margins" value="{{targetMargins}}"></label>{{/needsMargins}}
        """

    static let report = """
        <section class="card">
        <form class="filters" method="get" action="/reports/{{report}}">
        {{#form}}{{> reportFields}}{{/form}}
        <label>from <input type="date" name="from" value="{{from}}"></label>
        <label>to <input type="date" name="to" value="{{to}}"></label>
        <button type="submit">Show</button>
        </form>
        </section>
        <p class="muted">{{period}}</p>
        {{#refusal}}<p class="error">{{.}}</p>{{/refusal}}
        {{#warning}}<p class="error" id="partial-period">⚠ {{.}}</p>{{/warning}}
        <p class="notice" id="completeness">{{completeness}}</p>
        {{#csvLink}}<p><a href="{{.}}" id="report-csv">Download CSV</a></p>{{/csvLink}}
        {{#notes}}<p class="notice">{{.}}</p>{{/notes}}
        {{^empty(facts)}}<dl class="facts">{{#facts}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/facts}}</dl>{{/empty(facts)}}
        {{#chart}}<section class="card chart">{{{.}}}</section>{{/chart}}
        {{#sections}}<section class="card"><h2>{{title}}</h2>{{> table}}</section>{{/sections}}
        <p><a href="/reports">All reports</a></p>

        """

    static let costs = """
        <section class="card"><h2>Cost sources</h2>
        {{^sources}}<p class="muted">No cost imported yet: <code>meterbridge costs import FILE --source NAME</code>.</p>{{/sources}}
        {{^empty(sources)}}<div class="scroll"><table><thead><tr><th>Source</th><th>Currency</th><th>From</th><th>To</th><th class="num">Rows</th><th class="num">Effective cost</th><th class="num">Billed cost</th></tr></thead>
        <tbody>{{#sources}}<tr><td>{{source}}</td><td>{{currency}}</td><td>{{periodStart}}</td><td>{{periodEnd}}</td><td class="num">{{rows}}</td>{{#effectiveCost}}<td class="num"><bdi{{#full}} title="{{.}}"{{/full}}>{{text}}</bdi></td>{{/effectiveCost}}{{#billedCost}}<td class="num"><bdi{{#full}} title="{{.}}"{{/full}}>{{text}}</bdi></td>{{/billedCost}}</tr>{{/sources}}</tbody></table></div>{{/empty(sources)}}
        </section>
        <section class="card"><h2>Cost reports</h2>
        {{^reports}}<p class="muted">No cost reports yet: <code>meterbridge cost-report create</code>.</p>{{/reports}}
        {{^empty(reports)}}<div class="scroll"><table><thead><tr><th>Name</th><th>Conditions</th><th>Customer tag</th><th class="num">Matched rows</th><th class="num">Matched cost</th><th>Created</th></tr></thead>
        <tbody>{{#reports}}<tr><td>{{name}}</td><td class="wrap">{{filters}}</td><td>{{customerTag}}</td><td class="num">{{matchedRows}}</td><td class="num">{{matchedCost}}</td><td>{{createdAt}}</td></tr>
        {{#warnings}}<tr><td></td><td colspan="5"><p class="error">{{.}}</p></td></tr>{{/warnings}}{{/reports}}</tbody></table></div>{{/empty(reports)}}
        </section>

        """

    static let login = """
        <section class="card">
        {{#failed}}<p class="error">That token is not valid.</p>{{/failed}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Access token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
        <button type="submit">Sign in</button>
        </form>
        <p class="muted">The token is the contents of the file given to <code>meterbridge serve --auth-token-file</code>.</p>
        </section>

        """
}
