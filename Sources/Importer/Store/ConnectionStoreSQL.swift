/// Every statement of ``ConnectionStore``, kept together (as `JobQueueSQL` is for the queue).
enum ConnectionStoreSQL {
    /// The columns ``ConnectionStore`` decodes a ``ConnectionRecord`` from, in order.
    static let columns = """
        id, name, base_url, status, rate_limit, customer_batch_size, last_validated_at, last_error, catalog_synced_at,
        token_ciphertext, token_format
        """

    static let all = "SELECT \(columns) FROM connections ORDER BY name"

    static let byName = "SELECT \(columns) FROM connections WHERE name = $1"

    static let byID = "SELECT \(columns) FROM connections WHERE id = $1"

    /// Active connections whose catalog was never synced, or not within `$1` seconds.
    static let activeWithStaleCatalog = """
        SELECT id FROM connections WHERE status = 'active'
          AND (catalog_synced_at IS NULL OR catalog_synced_at < now() - make_interval(secs => $1::float8))
        """

    /// The id a new connection will get (its token is sealed for it before the row exists).
    static let nextID = "SELECT nextval(pg_get_serial_sequence('connections', 'id'))"

    static let insert = """
        INSERT INTO connections (id, name, base_url, token_ciphertext, token_format, rate_limit, customer_batch_size,
            last_validated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, now()) RETURNING \(columns)
        """

    static let setToken = """
        UPDATE connections SET token_ciphertext = $2, token_format = $3, status = 'active', last_error = NULL,
            last_validated_at = now()
        WHERE id = $1
        """

    static let setStatus = """
        UPDATE connections SET status = $2, last_error = $3,
            last_validated_at = CASE WHEN $2 = 'active' AND $3::text IS NULL THEN now() ELSE last_validated_at END
        WHERE id = $1
        """

    /// After a 401/403; a paused connection stays paused.
    static let markInvalid = "UPDATE connections SET status = 'invalid', last_error = $2 WHERE id = $1 AND status = 'active'"

    static let metricIDs = "SELECT id FROM business_metrics WHERE connection_id = $1"

    static let deleteMetrics = "DELETE FROM business_metrics WHERE connection_id = $1"

    static let delete = "DELETE FROM connections WHERE id = $1"

    /// Every connection (`$1` false) or those with tokens in format `$2`, locked for re-sealing.
    static let tokensToReseal = "SELECT \(columns) FROM connections WHERE NOT $1 OR token_format = $2 ORDER BY id FOR UPDATE"

    static let reseal = "UPDATE connections SET token_ciphertext = $2, token_format = $3 WHERE id = $1"
}
