-- A digest of each stored readiness result (status, position, check-in and reasons), so that a
-- recompute of the whole organisation writes only the results that changed: it reads the digest
-- with each person and compares it with the digest of the new result. NULL until the next recompute.
ALTER TABLE readiness ADD COLUMN digest TEXT;
