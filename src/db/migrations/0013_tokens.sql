-- A token acts only for the account that created it, or for the organisation. Tokens now record
-- who created them; for the tokens made before, the creator is the actor of their `token.create`
-- audit event (none for the command line). A token that acts for someone other than its creator
-- was made by an admin or an operator to act as that person: it is revoked, and the revocation is
-- recorded in the audit log.
ALTER TABLE api_tokens ADD COLUMN created_by BIGINT REFERENCES users(id) ON DELETE SET NULL;
UPDATE api_tokens SET created_by = (
    SELECT MIN(a.actor_id) FROM audit_events a
    WHERE a.action = 'token.create' AND a.object = 'token:' || CAST(api_tokens.id AS TEXT)
);
INSERT INTO audit_events (at, actor_id, actor, action, object, summary, detail)
SELECT {now}, NULL, 'upgrade', 'token.revoke', 'token:' || CAST(id AS TEXT),
       'Revoked the ' || scope || ' token “' || name || '” on upgrade: it acted for someone other than the person who created it',
       NULL
FROM api_tokens
WHERE user_id IS NOT NULL AND revoked_at IS NULL AND (created_by IS NULL OR created_by <> user_id);
UPDATE api_tokens SET revoked_at = {now}
WHERE user_id IS NOT NULL AND revoked_at IS NULL AND (created_by IS NULL OR created_by <> user_id);
