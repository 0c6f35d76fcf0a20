-- Unit economics: cloud cost imported from FOCUS files (prorated to UTC days), saved cost reports, and
-- views that BI tools (Metabase, Grafana) can chart with the same numbers as `meterbridge report`.

-- A named origin of cost rows (`costs import --source`). Re-importing a source replaces its rows for the
-- days the new file covers.
CREATE TABLE cost_sources (
    id         serial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cost_sources_name_present CHECK (name <> '')
);

-- One row per imported file: what it covered and what was skipped.
CREATE TABLE cost_imports (
    id           bigserial PRIMARY KEY,
    source_id    integer NOT NULL REFERENCES cost_sources ON DELETE CASCADE,
    file_name    text NOT NULL,
    period_start date,                                -- first UTC day with cost (NULL: the file had no rows)
    period_end   date,                                -- last UTC day with cost, inclusive
    input_rows   bigint NOT NULL,
    skipped_rows bigint NOT NULL DEFAULT 0,
    daily_rows   bigint NOT NULL,
    replaced_rows bigint NOT NULL DEFAULT 0,
    imported_at  timestamptz NOT NULL DEFAULT now()
);

-- Each FOCUS row prorated across the UTC days its [ChargePeriodStart, ChargePeriodEnd) overlaps. The
-- shares of one row add up to its cost exactly (the rounding remainder is on its last day).
CREATE TABLE cost_daily (
    source_id          integer NOT NULL REFERENCES cost_sources ON DELETE CASCADE,
    import_id          bigint NOT NULL,
    line               bigint NOT NULL,              -- the FOCUS row's line in its file
    day                date NOT NULL,
    effective_cost     numeric NOT NULL,             -- amortized cost: the one unit economics use
    billed_cost        numeric NOT NULL,             -- cash basis, for invoice reconciliation
    currency           text NOT NULL,                -- BillingCurrency
    provider           text,                         -- ServiceProviderName (1.3+) or ProviderName (<= 1.2)
    service_name       text,
    service_category   text,
    charge_category    text,
    billing_account_id text,
    sub_account_id     text,
    region_id          text,
    resource_id        text,
    tags               jsonb NOT NULL DEFAULT '{}',
    charge_period_start timestamptz NOT NULL,
    charge_period_end   timestamptz NOT NULL
);
CREATE INDEX cost_daily_source_day ON cost_daily (source_id, day);

-- A saved filter over cost rows, e.g. "COGS" = production compute, storage and network.
CREATE TABLE cost_reports (
    id           serial PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    filters      jsonb NOT NULL DEFAULT '[]',        -- [{"field": …, "key": …, "values": […], "exclude": bool}]
    customer_tag text,                              -- tag whose value names a Metronome customer
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cost_reports_name_present CHECK (name <> '')
);

-- Whether a cost row passes one cost report's filters: every include condition holds and no exclude
-- condition does. A condition holds when the field's value is one of its values (for a tag without
-- values: when the tag is present).
CREATE FUNCTION cost_row_matches(filters jsonb, r cost_daily) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce(bool_and(
        CASE WHEN coalesce((f->>'exclude')::boolean, false) THEN NOT coalesce(hit, false) ELSE coalesce(hit, false) END
    ), true)
    FROM jsonb_array_elements(filters) AS f,
    LATERAL (SELECT CASE f->>'field'
        WHEN 'provider' THEN r.provider = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'service' THEN r.service_name = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'service-category' THEN r.service_category = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'charge-category' THEN r.charge_category = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'account' THEN r.sub_account_id = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'billing-account' THEN r.billing_account_id = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'region' THEN r.region_id = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'tag' THEN CASE WHEN jsonb_array_length(f->'values') = 0 THEN r.tags ? (f->>'key')
            ELSE (r.tags->>(f->>'key')) = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values'))) END
        END AS hit) AS h
$$;

-- The rows of each cost report, with the customer tag's value (NULL: shared cost).
CREATE VIEW cost_report_rows AS
SELECT cr.id AS cost_report_id, cr.name AS cost_report, c.*,
    nullif(c.tags->>cr.customer_tag, '') AS customer_tag_value
FROM cost_reports cr
JOIN cost_daily c ON cost_row_matches(cr.filters, c);

-- How a customer-tag value names a Metronome customer: its id first, then an ingest alias, then a name.
-- A value that matches several customers at its best level is ambiguous: customer_id stays NULL and
-- candidates says how many matched, so reports show it rather than guess.
CREATE VIEW customer_tag_matches AS
WITH candidates AS (
    SELECT connection_id, id AS value, id AS customer_id, 1 AS rank FROM customers
    UNION ALL
    SELECT c.connection_id, a.alias, c.id, 2 FROM customers c CROSS JOIN LATERAL unnest(c.ingest_aliases) AS a(alias)
    UNION ALL
    SELECT connection_id, name, id, 3 FROM customers WHERE name <> ''
), best AS (
    SELECT connection_id, value, min(rank) AS rank FROM candidates GROUP BY connection_id, value
)
SELECT b.connection_id, b.value,
    CASE b.rank WHEN 1 THEN 'customer_id' WHEN 2 THEN 'ingest_alias' ELSE 'customer_name' END AS matched_by,
    CASE WHEN count(DISTINCT c.customer_id) = 1 THEN min(c.customer_id) END AS customer_id,
    count(DISTINCT c.customer_id) AS candidates
FROM best b
JOIN candidates c ON c.connection_id = b.connection_id AND c.value = b.value AND c.rank = b.rank
GROUP BY b.connection_id, b.value, b.rank;

-- ---------------------------------------------------------------------------------------------------
-- Views for BI tools. They compute what `meterbridge report` prints, so a dashboard and the CLI agree.
-- Sum amounts over a period before dividing (Σ cost / Σ units, (Σ revenue − Σ cost) / Σ revenue).
-- ---------------------------------------------------------------------------------------------------

-- Each cost report's cost per day, currency and customer-tag value (NULL: shared cost).
CREATE VIEW cost_report_daily AS
SELECT cr.id AS cost_report_id, cr.name AS cost_report, c.day, c.currency,
    nullif(c.tags ->> cr.customer_tag, '') AS customer_tag_value,
    sum(c.effective_cost) AS effective_cost, sum(c.billed_cost) AS billed_cost
FROM cost_reports cr
JOIN cost_daily c ON cost_row_matches(cr.filters, c)
GROUP BY cr.id, cr.name, c.day, c.currency, nullif(c.tags ->> cr.customer_tag, '');

-- COGS per cost report, usage metric, day and customer: cost tagged with the customer plus its share of
-- the day's shared cost by usage (rounded to 10 places, the remainder on the heaviest user, as the CLI
-- does). bucket 'unallocated' holds shared cost of days without usage; 'unmatched_tag' holds tagged cost
-- whose tag names no customer or several.
CREATE VIEW daily_cost_by_customer AS
WITH tagged AS (
    SELECT d.cost_report_id, d.cost_report, m.id AS metric_id, m.title AS metric, d.day, d.currency,
        d.customer_tag_value, t.customer_id, d.effective_cost
    FROM cost_report_daily d
    CROSS JOIN business_metrics m
    LEFT JOIN customer_tag_matches t ON t.connection_id = m.connection_id AND t.value = d.customer_tag_value
    WHERE m.kind = 'usage'
), shared AS (
    SELECT cost_report_id, cost_report, metric_id, metric, day, currency, sum(effective_cost) AS cost
    FROM tagged WHERE customer_tag_value IS NULL
    GROUP BY cost_report_id, cost_report, metric_id, metric, day, currency
), usage AS (
    SELECT metric_id, day, customer_id, amount,
        sum(amount) OVER (PARTITION BY metric_id, day) AS day_total,
        row_number() OVER (PARTITION BY metric_id, day ORDER BY amount DESC, customer_id) AS heaviest
    FROM metric_values
), shares AS (
    SELECT s.cost_report_id, s.cost_report, s.metric_id, s.metric, s.day, s.currency, u.customer_id, s.cost, u.heaviest,
        round(u.amount * s.cost / u.day_total, 10) AS share
    FROM shared s JOIN usage u ON u.metric_id = s.metric_id AND u.day = s.day AND u.day_total <> 0
), allocated AS (
    SELECT cost_report_id, cost_report, metric_id, metric, day, currency, customer_id,
        share + CASE WHEN heaviest = 1
            THEN cost - sum(share) OVER (PARTITION BY cost_report_id, metric_id, day, currency) ELSE 0 END AS shared_cost
    FROM shares
), parts AS (
    SELECT cost_report_id, cost_report, metric_id, metric, day, currency,
        coalesce(customer_id, '') AS customer_id,
        CASE WHEN customer_id IS NULL THEN 'unmatched_tag' ELSE 'customer' END AS bucket,
        CASE WHEN customer_id IS NULL THEN customer_tag_value END AS tag_value,
        effective_cost AS direct_cost, 0::numeric AS shared_cost
    FROM tagged WHERE customer_tag_value IS NOT NULL
    UNION ALL
    SELECT cost_report_id, cost_report, metric_id, metric, day, currency, customer_id, 'customer', NULL, 0, shared_cost
    FROM allocated
    UNION ALL
    SELECT s.cost_report_id, s.cost_report, s.metric_id, s.metric, s.day, s.currency, '', 'unallocated', NULL, 0, s.cost
    FROM shared s
    WHERE NOT EXISTS (SELECT 1 FROM usage u WHERE u.metric_id = s.metric_id AND u.day = s.day AND u.day_total <> 0)
)
SELECT cost_report_id, cost_report, metric_id, metric, day, currency, nullif(customer_id, '') AS customer_id, bucket, tag_value,
    sum(direct_cost) AS direct_cost, sum(shared_cost) AS shared_cost, sum(direct_cost + shared_cost) AS cogs
FROM parts
GROUP BY cost_report_id, cost_report, metric_id, metric, day, currency, customer_id, bucket, tag_value;

-- COGS next to units per cost report, usage metric, day and customer (customers with usage but no
-- cost included). cost_per_unit is NULL (undefined) without units; over a period use Σ cogs / Σ units.
CREATE VIEW unit_cost_daily AS
WITH costs AS (
    SELECT cost_report_id, metric_id, day, customer_id, currency, cogs
    FROM daily_cost_by_customer WHERE bucket = 'customer'
), units AS (
    SELECT cr.id AS cost_report_id, v.metric_id, v.day, v.customer_id, v.amount
    FROM cost_reports cr
    CROSS JOIN metric_values v
    JOIN business_metrics m ON m.id = v.metric_id AND m.kind = 'usage'
)
SELECT cr.name AS cost_report, m.title AS metric, coalesce(c.day, u.day) AS day,
    coalesce(c.customer_id, u.customer_id) AS customer_id, c.currency,
    coalesce(c.cogs, 0) AS cogs, coalesce(u.amount, 0) AS units,
    coalesce(c.cogs, 0) / nullif(coalesce(u.amount, 0), 0) AS cost_per_unit
FROM costs c
FULL JOIN units u
    ON u.cost_report_id = c.cost_report_id AND u.metric_id = c.metric_id AND u.day = c.day AND u.customer_id = c.customer_id
JOIN cost_reports cr ON cr.id = coalesce(c.cost_report_id, u.cost_report_id)
JOIN business_metrics m ON m.id = coalesce(c.metric_id, u.metric_id);

-- Revenue next to directly attributed (customer-tagged) cost per cost report, revenue metric, day and
-- customer. Margin % over a period is (Σ revenue − Σ direct_cost) / Σ revenue, undefined when Σ revenue is 0.
-- Compare the currency columns: revenue and cost in different currencies must not be subtracted.
CREATE VIEW customer_margin_daily AS
WITH direct AS (
    SELECT d.cost_report_id, m.id AS metric_id, d.day, t.customer_id, d.currency, sum(d.effective_cost) AS direct_cost
    FROM cost_report_daily d
    JOIN business_metrics m ON m.kind = 'revenue'
    JOIN customer_tag_matches t ON t.connection_id = m.connection_id AND t.value = d.customer_tag_value
    WHERE t.customer_id IS NOT NULL
    GROUP BY d.cost_report_id, m.id, d.day, t.customer_id, d.currency
), revenue AS (
    SELECT cr.id AS cost_report_id, v.metric_id, v.day, v.customer_id, v.amount,
        CASE WHEN upper(m.credit_type_name) = 'USD (CENTS)' THEN 'USD' ELSE upper(m.credit_type_name) END AS currency
    FROM cost_reports cr
    CROSS JOIN metric_values v
    JOIN business_metrics m ON m.id = v.metric_id AND m.kind = 'revenue'
)
SELECT cr.name AS cost_report, m.title AS revenue_metric, coalesce(d.day, r.day) AS day,
    coalesce(d.customer_id, r.customer_id) AS customer_id,
    r.currency AS revenue_currency, d.currency AS cost_currency,
    coalesce(r.amount, 0) AS revenue, coalesce(d.direct_cost, 0) AS direct_cost,
    coalesce(r.amount, 0) - coalesce(d.direct_cost, 0) AS gross_profit
FROM direct d
FULL JOIN revenue r
    ON r.cost_report_id = d.cost_report_id AND r.metric_id = d.metric_id AND r.day = d.day AND r.customer_id = d.customer_id
JOIN cost_reports cr ON cr.id = coalesce(d.cost_report_id, r.cost_report_id)
JOIN business_metrics m ON m.id = coalesce(d.metric_id, r.metric_id);
