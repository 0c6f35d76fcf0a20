-- Tokens bound to their connection: format 2 authenticates the connection's id and base URL with the
-- token, so changing a row's base_url makes its token undecryptable instead of sending it elsewhere.
-- Rows saved before are format 1; the first worker (or `meterbridge migrate`, or `secrets rotate-key`)
-- that holds the key seals them again in format 2. Until then they are not used.
ALTER TABLE connections ADD COLUMN token_format smallint NOT NULL DEFAULT 1 CHECK (token_format IN (1, 2));
