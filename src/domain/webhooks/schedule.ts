/**
 * Delivery schedule (issue 13): the first attempt at once, then retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
 * 10 h, each with ±10 % jitter so that retries of many deliveries do not arrive together; after the 8th failed
 * attempt the delivery is failed. An endpoint failing for 5 days in a row is disabled.
 */
export const RETRY_DELAYS_MS = [5_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 5 * 3_600_000, 10 * 3_600_000, 10 * 3_600_000] as const
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1
export const JITTER = 0.1
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000
/** the attempt gives up after this long (connect + response headers + the excerpt) */
export const DELIVERY_TIMEOUT_MS = 10_000
export const RESPONSE_EXCERPT_BYTES = 1024

/**
 * When to try again after `attemptsSoFar` failed attempts of the current schedule, or null when the delivery has
 * failed for good. `random` in [0, 1) (Math.random in production, fixed in tests).
 */
export function nextAttemptAt (attemptsSoFar: number, failedAt: Date, random: number, scale = 1): Date | null {
  const base = RETRY_DELAYS_MS[attemptsSoFar - 1]
  if (attemptsSoFar < 1 || base === undefined) return null
  const factor = 1 + JITTER * (2 * Math.min(Math.max(random, 0), 1) - 1)
  return new Date(failedAt.getTime() + Math.round(base * factor * scale))
}

export type AttemptOutcome =
  | { kind: 'success' }
  | { kind: 'gone' }
  | { kind: 'failure' }

/** 2xx is success, 410 Gone disables the endpoint; anything else (other statuses, timeouts, network errors) fails */
export function classifyStatus (statusCode: number | null): AttemptOutcome['kind'] {
  if (statusCode === null) return 'failure'
  if (statusCode >= 200 && statusCode < 300) return 'success'
  if (statusCode === 410) return 'gone'
  return 'failure'
}

/** an endpoint whose failures started at least 5 days ago (with no success since) is disabled */
export const failingTooLong = (failingSince: Date | null, now: Date): boolean =>
  failingSince !== null && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS
