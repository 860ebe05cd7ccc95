export const CHANGE_FEED_DESCRIPTION = `Every change (tickets, comments, severity changes, reopen requests, onboarding calls, checklist items, organizations) as
events in one total order. Page with \`after=<nextCursor>\` until \`hasMore\` is false, then keep polling with the last \`nextCursor\`:
a reader that does so sees every committed event exactly once and in order, even while many writers commit concurrently and out of order.

How: each event carries the id of the transaction that wrote it (xid8) and the feed is ordered by (transaction id, event id). The feed
hands out only events of transactions below the database's snapshot horizon (\`pg_snapshot_xmin(pg_current_snapshot())\`): every
transaction still running, or yet to start, has a higher transaction id, so no event can later appear before a position already handed
out. An event becomes visible once every transaction that started before it has finished (normally milliseconds).

Customers read their own organization only and never internal events (internal comments); agents and admins read everything and may
filter by \`organizationId\`. The cursor is bound to the filters and the caller's scope; a tampered or foreign cursor is a 400.`
