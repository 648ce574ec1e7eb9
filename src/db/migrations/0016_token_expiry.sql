-- A token may be given an expiry when it is created: the moment (Unix seconds) from which it is
-- refused. Tokens made before, and tokens created without one, never expire.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
