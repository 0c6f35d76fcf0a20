-- `numeric` accepts NaN, and a Decimal that overflows becomes NaN: no amount may ever be stored as one.
ALTER TABLE metric_values ADD CONSTRAINT metric_values_amount_is_a_number CHECK (amount <> 'NaN');
ALTER TABLE cost_daily ADD CONSTRAINT cost_daily_costs_are_numbers
    CHECK (effective_cost <> 'NaN' AND billed_cost <> 'NaN');
