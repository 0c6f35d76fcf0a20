-- Cost reports can keep one currency: a `currency` condition (the FOCUS BillingCurrency). A report over
-- cost in several currencies is refused, and its refusal now says how to narrow it. The BI views'
-- function gains the same field as the reports' SQL (CostFilterSQL).
CREATE OR REPLACE FUNCTION cost_row_matches(filters jsonb, r cost_daily) RETURNS boolean
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
        WHEN 'currency' THEN r.currency = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values')))
        WHEN 'tag' THEN CASE WHEN jsonb_array_length(f->'values') = 0 THEN r.tags ? (f->>'key')
            ELSE (r.tags->>(f->>'key')) = ANY(ARRAY(SELECT jsonb_array_elements_text(f->'values'))) END
        END AS hit) AS h
$$;
