/**
 * Ceiling A: a bare Fastify 5 server answering a constant small JSON object, serialised through a response schema
 * (the same fast-json-stringify path the service uses), no logging. Own process; prints `listening <port>`.
 * Usage: node --import tsx bench/ceiling-fastify.ts [port]   (0 = any free port)
 */
import Fastify from 'fastify'

const port = Number(process.argv[2] ?? 0)
const app = Fastify({ logger: false })

app.get('/ceiling', {
  schema: {
    response: {
      200: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'status', 'version'],
        properties: { id: { type: 'string' }, status: { type: 'string' }, version: { type: 'integer' } }
      }
    }
  }
}, async () => ({ id: '7d1c1e9c-5a3f-4a51-9c3e-0a4c3b2f9d10', status: 'open', version: 1 }))

const address = await app.listen({ port, host: '127.0.0.1' })
console.log(`listening ${new URL(address).port}`)

const stop = (): void => { void app.close().then(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
