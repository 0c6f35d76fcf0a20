-- Connections to Metronome accounts, the mirrored catalog, business metrics and their daily values,
-- import coverage, and the per-connection request budget shared by every worker.

CREATE TABLE connections (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL UNIQUE,
    base_url          text NOT NULL,
    token_ciphertext  bytea NOT NULL,            -- AES-GCM (nonce || ciphertext || tag); never stored in clear
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invalid', 'paused')),
    rate_limit        numeric NOT NULL DEFAULT 8 CHECK (rate_limit > 0),
    customer_batch_size integer NOT NULL DEFAULT 25 CHECK (customer_batch_size BETWEEN 1 AND 100),
    last_validated_at timestamptz,
    last_error        text,
    catalog_synced_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT connections_name_present CHECK (name <> '')
);

-- The Metronome catalog, mirrored per connection (archived customers included: they keep their history).
CREATE TABLE customers (
    connection_id  bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
    id             text NOT NULL,
    name           text NOT NULL DEFAULT '',
    ingest_aliases text[] NOT NULL DEFAULT '{}',  -- in the order Metronome returns them
    archived_at    timestamptz,
    import_batch   integer NOT NULL,              -- stable: new customers fill the last batch, then open new ones
    first_seen_at  timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, id)
);

CREATE TABLE billable_metrics (
    connection_id    bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
    id               text NOT NULL,
    name             text NOT NULL,
    aggregation_type text,
    archived_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connection_id, id)
);

CREATE TABLE credit_types (
    connection_id bigint NOT NULL REFERENCES connections ON DELETE CASCADE,
    id            text NOT NULL,
    name          text NOT NULL,
    is_currency   boolean NOT NULL DEFAULT true,
    PRIMARY KEY (connection_id, id)
);

CREATE TABLE business_metrics (
    id                 bigserial PRIMARY KEY,
    title              text NOT NULL UNIQUE,
    connection_id      bigint NOT NULL REFERENCES connections,
    kind               text NOT NULL CHECK (kind IN ('revenue', 'usage')),
    billable_metric_id text,
    credit_type_id     text,
    credit_type_name   text,
    revenue_basis      text CHECK (revenue_basis IN ('invoice_total', 'gross_usage')),
    label_source       text NOT NULL CHECK (label_source IN ('customer_name', 'ingest_alias', 'customer_id')),
    since              date NOT NULL,
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT business_metrics_shape CHECK (
        (kind = 'usage' AND billable_metric_id IS NOT NULL)
        OR (kind = 'revenue' AND credit_type_id IS NOT NULL AND revenue_basis IS NOT NULL))
);

-- One exact amount per metric, customer and UTC day. Keyed by the customer *id*: renames and label
-- collisions can never merge or corrupt history.
CREATE TABLE metric_values (
    metric_id   bigint NOT NULL REFERENCES business_metrics ON DELETE CASCADE,
    day         date NOT NULL,
    customer_id text NOT NULL,
    amount      numeric NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (metric_id, day, customer_id)
);
CREATE INDEX metric_values_customer ON metric_values (metric_id, customer_id, day);

-- When each (metric, window, customer batch) was last imported in full. The planner reads this, not the
-- (pruned) job history.
CREATE TABLE import_coverage (
    metric_id    bigint NOT NULL REFERENCES business_metrics ON DELETE CASCADE,
    window_start date NOT NULL,
    window_end   date NOT NULL,                 -- exclusive
    batch_key    text NOT NULL,
    customer_ids text[] NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (metric_id, window_start, batch_key),
    CONSTRAINT import_coverage_window CHECK (window_end > window_start)
);

-- The request budget of each connection, shared by every worker on every host: a GCRA "theoretical
-- arrival time" advanced atomically, pushed back by 429s.
CREATE TABLE rate_limits (
    connection_id bigint PRIMARY KEY REFERENCES connections ON DELETE CASCADE,
    tat           timestamptz NOT NULL DEFAULT now(),
    requests      bigint NOT NULL DEFAULT 0,
    rate_limited  bigint NOT NULL DEFAULT 0,
    -- The measured request rate, for status: requests counted in a window of about 30 seconds.
    window_started_at timestamptz NOT NULL DEFAULT now(),
    window_requests   bigint NOT NULL DEFAULT 0,
    previous_rate     double precision
);

-- Labels, resolved when read: the chosen name or first alias, falling back to the id; when two customers
-- of a connection would share a label, each gets " (" + the first 8 characters of its id + ")".
CREATE VIEW customer_labels AS
WITH base AS (
    SELECT c.connection_id, c.id AS customer_id, s.label_source,
        coalesce(nullif(CASE s.label_source
            WHEN 'customer_name' THEN c.name
            WHEN 'ingest_alias' THEN c.ingest_aliases[1]
            ELSE c.id END, ''), c.id) AS base_label
    FROM customers c
    CROSS JOIN (VALUES ('customer_name'), ('ingest_alias'), ('customer_id')) AS s(label_source)
)
SELECT connection_id, customer_id, label_source,
    CASE WHEN count(*) OVER (PARTITION BY connection_id, label_source, base_label) > 1
        THEN base_label || ' (' || left(customer_id, 8) || ')'
        ELSE base_label END AS label
FROM base;

CREATE VIEW metric_values_labeled AS
SELECT v.metric_id, m.title AS metric_title, v.day, v.customer_id,
    coalesce(l.label, v.customer_id) AS label, v.amount
FROM metric_values v
JOIN business_metrics m ON m.id = v.metric_id
LEFT JOIN customer_labels l
    ON l.connection_id = m.connection_id AND l.customer_id = v.customer_id AND l.label_source = m.label_source;
