-- Failed sign-ins counted per email and client address, with the time before which that pair may
-- not try again; a row with an empty email counts an address's failures whatever the email. This
-- replaces the per-email lockout of sign_in_failures, which let anyone lock any account from
-- anywhere: now an attacker slows down only themselves, and the owner signs in from their own
-- address meanwhile.
CREATE TABLE sign_in_backoff (
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    blocked_until BIGINT NOT NULL,
    PRIMARY KEY (email, address)
);
CREATE INDEX sign_in_backoff_last_failed ON sign_in_backoff(last_failed_at);
DROP TABLE sign_in_failures;
