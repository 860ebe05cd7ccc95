-- Custom data migration (review fix: customers could switch checklist obligations off).
-- Until now anyone could mark any checklist item not_applicable. The rule is now (src/domain/policy/responsibilities.ts,
-- `notApplicable`): dns-records and dns-restore-at-term-end are mandatory (never not_applicable; technical-representative
-- is mandatory too, but its status always followed the representative, so it was never not_applicable), and saml-sso /
-- unalignable-senders may be not_applicable only when support staff say so. Items left in a state the rule no longer
-- allows go back to `pending` — the mandatory ones whoever marked them, the waivable ones when a customer did — with a
-- new version (old ETags stop matching) and a `responsibility.updated` event by the system actor, in this same
-- transaction, so the organization's history and the change feed explain the change. Idempotent: a second run finds
-- nothing. (now() here: a migration has no application clock.)
WITH reset AS (
  UPDATE "responsibility_items"
  SET "status" = 'pending', "version" = "version" + 1, "updated_by_id" = 'system', "updated_by_role" = 'system', "updated_at" = date_trunc('milliseconds', now())
  WHERE "status" = 'not_applicable'
    AND ("key" IN ('dns-records', 'dns-restore-at-term-end')
      OR ("key" IN ('saml-sso', 'unalignable-senders') AND "updated_by_role" = 'customer'))
  RETURNING "id", "organization_id", "key", "note", "evidence_url", "version", "updated_at"
)
INSERT INTO "events" ("type", "organization_id", "resource_type", "resource_id", "resource_version", "actor_id", "actor_role", "occurred_at", "data")
SELECT 'responsibility.updated', "organization_id", 'responsibility_item', "id", "version", 'system', 'system', "updated_at",
  jsonb_build_object(
    'key', "key",
    'cause', 'policy.not_applicable_restricted',
    'before', jsonb_build_object('status', 'not_applicable', 'note', "note", 'evidenceUrl', "evidence_url"),
    'after', jsonb_build_object('status', 'pending', 'note', "note", 'evidenceUrl', "evidence_url"))
FROM reset
ORDER BY "organization_id", "key";
