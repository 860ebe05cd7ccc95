-- Benchmark data set: 100 organizations across the three plans and :tickets tickets with comments, severity changes
-- and their outbox events, in realistic proportions. Reproducible: every random choice comes from random() after a
-- fixed setseed, and ids are derived from md5 of a counter, so the same :tickets gives the same rows.
-- Run by bench/main.ts:  psql <url> -v ON_ERROR_STOP=1 -v tickets=N -v fingerprint=X -f bench/seed.sql
--
-- Time: tickets were created over the two years before 2026-11-01T00:00:00Z. Seeded actors are `agent-N` and
-- `customer-N`; the benchmark's callers are all `bench-…`, which is how bench/lib/db.ts removes what a run wrote.
-- SLA deadlines are approximations (business time ≈ 2.8 × wall-clock time for the 60-hour business week); the API
-- never recomputes stored deadlines, so they only need to be plausible.
\set ON_ERROR_STOP on
\timing off
SET client_min_messages = warning;
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '256MB';
SET max_parallel_maintenance_workers = 2;
-- the bulk load is consistent by construction: skip the per-row foreign-key triggers while it runs
SET session_replication_role = replica;

TRUNCATE organizations, tickets, ticket_comments, severity_changes, reopen_requests, events, idempotency_keys CASCADE;

CREATE TABLE IF NOT EXISTS bench_seed (tickets integer NOT NULL, fingerprint text NOT NULL, seeded_at timestamptz NOT NULL, seconds numeric);
TRUNCATE bench_seed;

-- a version-4-shaped uuid from md5 of a counter (a single expression, so the planner inlines it)
CREATE FUNCTION pg_temp.bench_uuid (kind text, n bigint) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$
  SELECT overlay(overlay(md5(kind || ':' || n) PLACING '4' FROM 13) PLACING '8' FROM 17)::uuid
$$;

-- secondary indexes are dropped for the load and rebuilt from their own definitions afterwards (faster than
-- maintaining them row by row); whatever the migrations define is what comes back
CREATE TEMP TABLE saved_indexes AS
  SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_namespace ns ON ns.oid = c.relnamespace AND ns.nspname = 'public'
  WHERE c.relname IN ('tickets', 'ticket_comments', 'severity_changes', 'events')
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid);
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT name FROM saved_indexes LOOP EXECUTE format('DROP INDEX %I', r.name); END LOOP;
END $$;

SELECT setseed(0.2026);

-- organizations: 50 basic, 35 enhanced, 15 premier; 94 active, 4 past due, 2 canceled
INSERT INTO organizations (id, name, plan, subscription_status, term_start, term_end, version, created_at, updated_at)
SELECT pg_temp.bench_uuid('org', n),
       'Bench Customer ' || lpad(n::text, 3, '0'),
       CASE WHEN n <= 50 THEN 'basic' WHEN n <= 85 THEN 'enhanced' ELSE 'premier' END,
       CASE WHEN n % 25 = 7 THEN 'past_due' WHEN n % 50 = 13 THEN 'canceled' ELSE 'active' END,
       timestamptz '2024-09-01T00:00:00Z' + (n || ' days')::interval,
       timestamptz '2031-09-01T00:00:00Z' + (n || ' days')::interval,
       1,
       timestamptz '2024-09-01T00:00:00Z' + (n || ' days')::interval,
       timestamptz '2024-09-01T00:00:00Z' + (n || ' days')::interval
FROM generate_series(1, 100) n;
CREATE TEMP TABLE orgs AS SELECT n AS k, pg_temp.bench_uuid('org', n) AS id, o.plan FROM generate_series(1, 100) n JOIN organizations o ON o.id = pg_temp.bench_uuid('org', n);

-- the plan of every ticket: skewed over organizations (a few large customers, many small ones)
CREATE TEMP TABLE plan AS
SELECT n,
       pg_temp.bench_uuid('ticket', n) AS id,
       o.id AS organization_id,
       o.plan,
       date_trunc('milliseconds', timestamptz '2026-11-01T00:00:00Z' - interval '730 days'
         + (n::float8 / :tickets) * interval '730 days' + (r.r1 * 300) * interval '1 second') AS created_at,
       CASE WHEN r.r2 < 0.05 THEN 'urgent' WHEN r.r2 < 0.25 THEN 'high' WHEN r.r2 < 0.65 THEN 'medium' ELSE 'low' END AS severity,
       CASE WHEN r.r3 < 0.45 THEN 'portal' WHEN r.r3 < 0.75 THEN 'email' WHEN r.r3 < 0.90 THEN 'web_form'
            WHEN r.r3 < 0.96 THEN CASE WHEN o.plan = 'basic' THEN 'portal' ELSE 'video_call' END
            ELSE CASE WHEN o.plan = 'premier' THEN 'phone' ELSE 'email' END END AS channel,
       r.r4, r.r5, r.r6, r.r7,
       floor(power(r.r8, 1.6) * 7)::int AS comments,
       (r.r9 < 0.08) AS severity_changed
FROM generate_series(1, :tickets) n
CROSS JOIN LATERAL (SELECT random() AS r0, random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
                           random() AS r6, random() AS r7, random() AS r8, random() AS r9, n AS dep) r
JOIN orgs o ON o.k = 1 + floor(power(r.r0, 2.2) * 100)::int;

CREATE TEMP TABLE tplan AS
SELECT p.*,
       CASE p.severity WHEN 'urgent' THEN 'P1' WHEN 'low' THEN 'P3' ELSE 'P2' END AS priority,
       t.target_seconds, t.calendar_id,
       -- business time ≈ 2.8 × wall-clock on the 60-hour business calendars; exact on 'always'
       CASE WHEN t.calendar_id = 'always' THEN 1.0 ELSE 2.8 END AS stretch,
       -- recent tickets are still being worked on; old ones are mostly closed
       CASE WHEN p.created_at < timestamptz '2026-10-01T00:00:00Z'
            THEN CASE WHEN p.r4 < 0.92 THEN 'closed' WHEN p.r4 < 0.97 THEN 'pending_customer' ELSE 'open' END
            ELSE CASE WHEN p.r4 < 0.40 THEN 'closed' WHEN p.r4 < 0.60 THEN 'pending_customer' ELSE 'open' END END AS status
FROM plan p
CROSS JOIN LATERAL (
  SELECT CASE p.plan
           WHEN 'basic' THEN 86400
           WHEN 'enhanced' THEN CASE p.severity WHEN 'urgent' THEN 3600 WHEN 'low' THEN 86400 ELSE 21600 END
           ELSE CASE p.severity WHEN 'urgent' THEN 3600 WHEN 'low' THEN 86400 ELSE 14400 END END AS target_seconds,
         CASE WHEN p.plan = 'basic' THEN 'business-hours-with-holidays'
              WHEN p.plan = 'premier' AND p.severity = 'urgent' THEN 'always'
              ELSE 'business-hours' END AS calendar_id
) t;
DROP TABLE plan;

CREATE TEMP TABLE tfull AS
SELECT tp.*,
       date_trunc('milliseconds', tp.created_at + tp.target_seconds * tp.stretch * interval '1 second') AS due_at,
       date_trunc('milliseconds', tp.created_at + tp.target_seconds * tp.stretch * 0.75 * interval '1 second') AS at_risk_at,
       -- first response: always for tickets that moved on; 85% of open ones; 88% within target
       CASE WHEN tp.status <> 'open' OR tp.r5 < 0.85
            THEN date_trunc('milliseconds', tp.created_at + tp.target_seconds * tp.stretch * (CASE WHEN tp.r6 < 0.88 THEN tp.r6 / 0.88 * 0.95 ELSE 1.05 + tp.r6 END) * interval '1 second')
       END AS first_responded_at,
       CASE WHEN tp.status = 'closed' THEN
         CASE WHEN tp.r7 < 0.85 THEN 'resolved' WHEN tp.r7 < 0.90 THEN 'out_of_scope' ELSE 'no_response' END END AS closed_reason
FROM tplan tp;
DROP TABLE tplan;

INSERT INTO tickets (id, organization_id, subject, description, severity, priority, channel, requester_name, requester_email,
  category, assignee_id, status, closed_reason, close_note, closed_at, closed_by_id, closed_by_role, contact_attempts,
  sla_cycle, sla_plan, sla_priority, sla_target_seconds, sla_calendar_id, sla_clock_started_at, sla_due_at, sla_at_risk_at,
  first_responded_at, sla_phase, sla_history, created_by_id, created_by_role, version, received_at, created_at, updated_at)
SELECT t.id, t.organization_id,
       (ARRAY['Exports stall at 80%', 'Cannot log in after password reset', 'Webhook deliveries delayed', 'Invoice shows the wrong plan',
              'API returns 502 intermittently', 'Dashboard charts are empty', 'SSO assertion rejected', 'Bulk import fails on row 1,204',
              'Search results are out of date', 'Mobile app crashes on launch', 'Rate limit reached unexpectedly', 'Email notifications not sent',
              'Question about data retention', 'How do I add a second admin?', 'Report totals do not match', 'Integration with CRM disconnected'])[1 + (t.n % 16)]
         || ' (#' || t.n || ')',
       'Steps to reproduce: open the workspace, start the job and wait. Expected: it completes in a few minutes. '
         || 'Actual: it stops and the log shows a timeout from the storage client. Started after the last upgrade; '
         || 'affects ' || (1 + t.n % 40) || ' users. Account reference ' || substr(md5(t.id::text), 1, 10) || '.',
       t.severity, t.priority, t.channel,
       'Requester ' || (t.n % 5000), 'requester' || (t.n % 5000) || '@customer' || substr(t.organization_id::text, 1, 8) || '.example.com',
       CASE WHEN t.r5 < 0.6 THEN (ARRAY['billing', 'integration', 'performance', 'access', 'bug', 'how-to'])[1 + (t.n % 6)] END,
       CASE WHEN t.status <> 'open' OR t.r7 < 0.7 THEN 'agent-' || (1 + t.n % 40) END,
       t.status, t.closed_reason,
       CASE WHEN t.closed_reason = 'out_of_scope' THEN 'Custom development is outside the support scope; referred to professional services.' END,
       CASE WHEN t.status = 'closed' THEN greatest(t.first_responded_at, t.created_at) + (1 + t.r7 * 400) * interval '1 hour' END,
       CASE WHEN t.status = 'closed' THEN 'agent-' || (1 + t.n % 40) END,
       CASE WHEN t.status = 'closed' THEN 'agent' END,
       CASE WHEN t.status = 'pending_customer' THEN 1 + t.n % 2 WHEN t.closed_reason = 'no_response' THEN 3 ELSE 0 END,
       1, t.plan, t.priority, t.target_seconds, t.calendar_id, t.created_at, t.due_at, t.at_risk_at,
       t.first_responded_at,
       CASE WHEN t.first_responded_at IS NULL THEN 'pending' WHEN t.first_responded_at <= t.due_at THEN 'met' ELSE 'breached' END,
       '[]'::jsonb,
       CASE WHEN t.r6 < 0.7 THEN 'customer-' || (t.n % 5000) ELSE 'agent-' || (1 + t.n % 40) END,
       CASE WHEN t.r6 < 0.7 THEN 'customer' ELSE 'agent' END,
       1 + t.comments + (CASE WHEN t.severity_changed THEN 1 ELSE 0 END) + (CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END),
       t.created_at,
       t.created_at,
       CASE WHEN t.status = 'closed' THEN greatest(t.first_responded_at, t.created_at) + (1 + t.r7 * 400) * interval '1 hour'
            ELSE coalesce(t.first_responded_at, t.created_at) END
FROM tfull t
ORDER BY t.n;

-- comments: ~1.8 per ticket on average; the first public agent reply is the first response (at first_responded_at)
CREATE TEMP TABLE cplan AS
SELECT pg_temp.bench_uuid('comment', t.n * 16 + c) AS id, t.id AS ticket_id, t.organization_id, t.n, c,
       CASE WHEN c = 1 AND t.first_responded_at IS NOT NULL THEN 'agent'
            WHEN c % 2 = 0 THEN 'customer' ELSE 'agent' END AS author_role,
       CASE WHEN c > 1 AND c % 2 = 1 AND (t.n + c) % 7 = 0 THEN 'internal' ELSE 'public' END AS visibility,
       (c = 1 AND t.first_responded_at IS NOT NULL) AS first_response,
       date_trunc('milliseconds', coalesce(t.first_responded_at, t.created_at + interval '10 minutes') + (c - 1) * interval '5 hours 17 minutes') AS created_at
FROM tfull t CROSS JOIN LATERAL generate_series(1, t.comments) c;

INSERT INTO ticket_comments (id, ticket_id, organization_id, body, visibility, awaiting_customer, first_response, sla_cycle, author_id, author_role, created_at)
SELECT c.id, c.ticket_id, c.organization_id,
       CASE WHEN c.author_role = 'customer' THEN 'Thanks, we tried that and the job still stops. Logs attached (export-' || c.n || '.log).'
            WHEN c.visibility = 'internal' THEN 'Internal: reproduced on staging; looks like the storage client timeout (ticket ' || c.n || ').'
            ELSE 'Thanks for the report. Could you send the job id and the time it stopped? We are looking into the storage timeout.' END,
       c.visibility, false, c.first_response, 1,
       CASE WHEN c.author_role = 'customer' THEN 'customer-' || (c.n % 5000) ELSE 'agent-' || (1 + c.n % 40) END,
       c.author_role, c.created_at
FROM cplan c
ORDER BY c.n, c.c;

-- the search documents, as the database keeps them (the triggers of migration 0016 are off while seeding: replica):
-- subject (A), description (B) and the comments' text (C; customers' document: public comments only). This is the
-- set-based form of ticket_search_documents (migration 0017), which the text-change trigger and the bench clean-up call
-- per ticket: called per ticket here, inside the seed's transaction, it took 21 s for 10,000 tickets instead of ~1 s.
INSERT INTO ticket_search (ticket_id, customer, staff)
SELECT t.id, ticket_search_base(t.subject, t.description) || coalesce(d.public_doc, ''::tsvector),
       ticket_search_base(t.subject, t.description) || coalesce(d.all_doc, ''::tsvector)
FROM tickets t
LEFT JOIN (SELECT ticket_id,
                  setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id) FILTER (WHERE visibility = 'public')), 'C') AS public_doc,
                  setweight(to_tsvector('english', string_agg(body, ' ' ORDER BY created_at, id)), 'C') AS all_doc
           FROM ticket_comments GROUP BY ticket_id) d ON d.ticket_id = t.id;

-- severity changes: 8% of tickets, one change each, a few hours after creation
CREATE TEMP TABLE splan AS
SELECT pg_temp.bench_uuid('severity', t.n) AS id, t.id AS ticket_id, t.organization_id, t.n, t.severity AS to_severity,
       CASE t.severity WHEN 'urgent' THEN 'high' WHEN 'high' THEN 'medium' WHEN 'medium' THEN 'low' ELSE 'medium' END AS from_severity,
       CASE WHEN t.severity = 'low' THEN 'downgrade' ELSE 'upgrade' END AS direction,
       date_trunc('milliseconds', t.created_at + (1 + t.r5 * 3) * interval '1 hour') AS changed_at,
       t.due_at, t.target_seconds, t.plan, t.priority
FROM tfull t WHERE t.severity_changed;

INSERT INTO severity_changes (id, ticket_id, organization_id, from_severity, to_severity, direction, reason, sla_effect, sla_before, sla_after, actor_id, actor_role, changed_at)
SELECT s.id, s.ticket_id, s.organization_id, s.from_severity, s.to_severity, s.direction,
       CASE WHEN s.direction = 'upgrade' THEN 'More users affected than first reported' ELSE 'Workaround in place; impact reduced' END,
       'recomputed',
       jsonb_build_object('priority', CASE s.from_severity WHEN 'urgent' THEN 'P1' WHEN 'low' THEN 'P3' ELSE 'P2' END, 'dueAt', to_char((s.due_at + interval '2 hours') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
       jsonb_build_object('priority', s.priority, 'dueAt', to_char(s.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
       'agent-' || (1 + s.n % 40), 'agent', s.changed_at
FROM splan s
ORDER BY s.n;

-- the outbox: one event per change, written in time order (as the service would have written them)
INSERT INTO events (type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data)
SELECT type, organization_id, resource_type, resource_id, resource_version, ticket_id, visibility, actor_id, actor_role, occurred_at, data
FROM (
  SELECT 'ticket.created' AS type, t.organization_id, 'ticket' AS resource_type, t.id AS resource_id, 1 AS resource_version, t.id AS ticket_id,
         'public' AS visibility,
         CASE WHEN t.r6 < 0.7 THEN 'customer-' || (t.n % 5000) ELSE 'agent-' || (1 + t.n % 40) END AS actor_id,
         CASE WHEN t.r6 < 0.7 THEN 'customer' ELSE 'agent' END AS actor_role,
         t.created_at AS occurred_at,
         jsonb_build_object('severity', t.severity, 'priority', t.priority, 'channel', t.channel) AS data
  FROM tfull t
  UNION ALL
  SELECT 'ticket.comment_added', c.organization_id, 'comment', c.id, 1 + c.c, c.ticket_id, c.visibility,
         CASE WHEN c.author_role = 'customer' THEN 'customer-' || (c.n % 5000) ELSE 'agent-' || (1 + c.n % 40) END, c.author_role,
         c.created_at, jsonb_build_object('visibility', c.visibility, 'firstResponse', c.first_response)
  FROM cplan c
  UNION ALL
  SELECT 'ticket.severity_changed', s.organization_id, 'severity_change', s.id, 2, s.ticket_id, 'public', 'agent-' || (1 + s.n % 40), 'agent',
         s.changed_at, jsonb_build_object('from', s.from_severity, 'to', s.to_severity, 'direction', s.direction)
  FROM splan s
  UNION ALL
  SELECT 'ticket.closed', t.organization_id, 'ticket', t.id, 1 + t.comments + (CASE WHEN t.severity_changed THEN 1 ELSE 0 END) + 1, t.id, 'public',
         'agent-' || (1 + t.n % 40), 'agent',
         greatest(t.first_responded_at, t.created_at) + (1 + t.r7 * 400) * interval '1 hour',
         jsonb_build_object('reason', t.closed_reason)
  FROM tfull t WHERE t.status = 'closed'
) e
ORDER BY occurred_at;

DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT def FROM saved_indexes LOOP EXECUTE r.def; END LOOP;
END $$;

SET session_replication_role = origin;
ANALYZE organizations, tickets, ticket_comments, severity_changes, events;

INSERT INTO bench_seed (tickets, fingerprint, seeded_at) VALUES (:tickets, :'fingerprint', now());
SELECT (SELECT count(*) FROM organizations) AS organizations, (SELECT count(*) FROM tickets) AS tickets,
       (SELECT count(*) FROM ticket_comments) AS comments, (SELECT count(*) FROM severity_changes) AS severity_changes,
       (SELECT count(*) FROM events) AS events;
