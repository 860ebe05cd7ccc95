import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, PROBLEM_BASE, errorCatalogue, type ErrorCode } from '../../domain/errors.js'
import { isConnectionError } from '../../application/context.js'

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  code: string
  instance?: string
  errors?: Array<{ path: string; message: string }>
  [extra: string]: unknown
}

export function problemOf (code: ErrorCode, detail: string, extras: Record<string, unknown> = {}): ProblemBody {
  const entry = errorCatalogue[code]
  return { type: PROBLEM_BASE + code, title: entry.title, status: entry.status, detail, code, ...extras }
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, problem: ProblemBody): FastifyReply {
  if (problem.status === 401) reply.header('www-authenticate', `Bearer realm="support-desk"${problem.code === 'invalid-token' ? ', error="invalid_token"' : ''}`)
  if (typeof problem.retryAfterSeconds === 'number') reply.header('retry-after', String(problem.retryAfterSeconds))
  return reply.code(problem.status).type('application/problem+json').send(withinContract({ ...problem, instance: request.url }))
}

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** keeps a problem within the Problem schema's bounds (src/http/schemas/common.ts): long URLs or field names are cut */
function withinContract (problem: ProblemBody): ProblemBody {
  problem.detail = cut(problem.detail, 5000)
  if (problem.instance !== undefined) problem.instance = cut(problem.instance, 2048)
  if (problem.errors !== undefined) problem.errors = problem.errors.slice(0, 100).map((e) => ({ path: cut(e.path, 1000), message: cut(e.message, 1000) }))
  return problem
}

export interface AjvLikeError { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string }

/** Ajv errors as `{ path, message }` (JSON pointers under `base` for bodies, `query.x` style for other parts) */
export function validationErrors (errors: AjvLikeError[], context = 'body', base = ''): Array<{ path: string; message: string }> {
  return errors.map((v) => {
    let path = base + (v.instancePath ?? '')
    if (v.keyword === 'additionalProperties' && typeof v.params?.additionalProperty === 'string') path += `/${v.params.additionalProperty}`
    if (v.keyword === 'required' && typeof v.params?.missingProperty === 'string') path += `/${v.params.missingProperty}`
    const message = v.keyword === 'additionalProperties' ? 'is not an allowed field' : (v.message ?? 'is invalid')
    return { path: context === 'body' ? (path === '' ? '/' : path) : `${context}${path.replace(/\//g, '.')}`, message }
  })
}

function fieldErrors (error: FastifyError): Array<{ path: string; message: string }> {
  return validationErrors(error.validation as AjvLikeError[] | undefined ?? [], error.validationContext ?? 'body')
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'malformed-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-request',
  FST_ERR_BAD_URL: 'malformed-request',
  FST_ERR_ASYNC_CONSTRAINT: 'malformed-request'
}

/** The one error handler: every 4xx/5xx leaves as application/problem+json; no stack traces or SQL. */
export interface ErrorHandlingOptions {
  /** a request failed because the database could not be reached (src/db/client.ts: probe now) */
  onDatabaseUnavailable?: () => void
  retryAfterSeconds?: number
}

export function registerErrorHandling (app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      return sendProblem(request, reply, problemOf(error.code, error.message, error.extras))
    }
    if (isConnectionError(error)) {
      // lost connection, refused, reset or timed out: the database is (briefly) unavailable, not a bug (issue 11)
      request.log.warn({ err: error }, 'database unavailable')
      options.onDatabaseUnavailable?.()
      return sendProblem(request, reply, problemOf('database-unavailable', 'The database cannot be reached right now; retry shortly', { retryAfterSeconds: options.retryAfterSeconds ?? 2 }))
    }
    if (error.validation !== undefined) {
      const errors = fieldErrors(error)
      const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ')
      return sendProblem(request, reply, problemOf('validation-failed', detail || 'The request is not valid', { errors }))
    }
    const mapped = error.code !== undefined ? FASTIFY_CODES[error.code] : undefined
    if (mapped !== undefined) {
      const detail = mapped === 'payload-too-large'
        ? 'The request body exceeds the 1 MiB limit'
        : mapped === 'unsupported-media-type'
          ? `Content-Type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`
          : 'The request body is not valid JSON'
      return sendProblem(request, reply, problemOf(mapped, detail))
    }
    if (error instanceof SyntaxError || error.statusCode === 400) {
      return sendProblem(request, reply, problemOf('malformed-request', 'The request could not be parsed'))
    }
    if (error.statusCode === 404) return sendProblem(request, reply, problemOf('not-found', 'Not found'))
    if (error.statusCode === 405) return sendProblem(request, reply, problemOf('method-not-allowed', 'Method not allowed'))
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.warn({ err: error }, 'unmapped client error')
      return sendProblem(request, reply, { ...problemOf('malformed-request', 'The request could not be processed'), status: error.statusCode })
    }
    request.log.error({ err: error }, 'unhandled error')
    return sendProblem(request, reply, problemOf('internal', 'An unexpected error occurred; quote the X-Request-Id when reporting it', { requestId: request.id }))
  })

  app.setNotFoundHandler((request, reply) => {
    return sendProblem(request, reply, problemOf('not-found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}`))
  })
}

/** a whole HTTP/1.1 problem response, for the layers below fastify's reply (client errors) */
export function rawProblemResponse (code: ErrorCode, detail: string, extraHeaders: Record<string, string> = {}): string {
  const problem = problemOf(code, detail)
  const body = JSON.stringify(problem)
  const headers = { 'Content-Type': 'application/problem+json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close', ...extraHeaders }
  return `HTTP/1.1 ${problem.status} ${problem.title}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${body}`
}

/**
 * Errors node's HTTP parser raises before a request reaches fastify (issue 11): headers too large (431), a request
 * (headers or body) not received within its timeout (408), malformed HTTP (400). Each is a problem+json with
 * `Connection: close`, then the socket is closed; nothing is written when a response is already under way.
 */
export function clientErrorHandler (this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
  const [code, detail] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? ['request-timeout', 'The request was not received in time'] as const
    : err.code === 'HPE_HEADER_OVERFLOW'
      ? ['headers-too-large', 'The request headers exceed the size limit'] as const
      : ['malformed-request', 'The request is not valid HTTP'] as const
  this.log.debug({ err: { code: err.code } }, 'client error')
  if (socket.writable && inFlight?.headersSent !== true) socket.end(rawProblemResponse(code, detail), () => socket.destroy())
  else socket.destroy()
}
