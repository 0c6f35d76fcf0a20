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
