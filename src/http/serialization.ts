import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler'

/**
 * Response serializers (issue 7): fast-json-stringify, as Fastify uses it, fed with a serialization-only rewrite of
 * the response schemas. The contract (OpenAPI) keeps the schemas as written; only the compiled serializers differ.
 *
 * Why: fast-json-stringify serializes `anyOf` by running an Ajv validation of every option until one matches, and a
 * failing option allocates Ajv error objects. Our schemas use `anyOf` for every enum (TypeBox unions of literals:
 * status, severity, priority, channel, plan, calendar, roles, …) and for every nullable field (`anyOf [X, null]`),
 * so a ticket cost 20–30 validations to serialize — about a tenth of the CPU and of the memory allocated to answer
 * a list page. The rewrite turns those into plain `type` checks fast-json-stringify compiles inline:
 * - `anyOf` of string literals / string enums (optionally with null) → `type: 'string'` (or `['string', 'null']`);
 * - `anyOf [X, null]` with X one primitive or object schema (inline or a registered `$ref`) → X with
 *   `type: [X.type, 'null']`;
 * - anything else stays as it is.
 * What changes: a value outside an enum is serialized as the string it is instead of failing the response. Values
 * come from typed presenters and domain types, so this never happens on a path the type checker sees; the request
 * side (Ajv validation of bodies and parameters) is untouched.
 */
type Schema = Record<string | symbol, unknown>
type SchemaMap = Record<string, Schema>

const isObject = (x: unknown): x is Schema => typeof x === 'object' && x !== null && !Array.isArray(x)
const COMBINATORS = ['anyOf', 'oneOf', 'allOf', 'not', 'if', 'then', 'else'] as const
const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean', 'object', 'array'])

/** the schema a `$ref` names, among the registered schemas (refs are plain `$id`s, optionally with a trailing `#`) */
function resolve (ref: string, external: SchemaMap): Schema | undefined {
  const id = ref.endsWith('#') ? ref.slice(0, -1) : ref
  return id.includes('#') ? undefined : external[id]
}

type Kind = { kind: 'null' } | { kind: 'string-like' } | { kind: 'typed'; schema: Schema; type: string } | { kind: 'other' }

function classify (option: Schema, external: SchemaMap, depth: number): Kind {
  let s = option
  if (typeof s.$ref === 'string') {
    const target = resolve(s.$ref, external)
    if (target === undefined || depth > 5) return { kind: 'other' }
    s = target
  }
  if (s.type === 'null' && s.const === undefined) return { kind: 'null' }
  if (typeof s.const === 'string' && (s.type === undefined || s.type === 'string')) return { kind: 'string-like' }
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string') && (s.type === undefined || s.type === 'string')) return { kind: 'string-like' }
  if (Array.isArray(s.anyOf) && !COMBINATORS.some((k) => k !== 'anyOf' && s[k] !== undefined) && s.type === undefined) {
    const inner = (s.anyOf as unknown[]).map((o) => isObject(o) ? classify(o, external, depth + 1) : { kind: 'other' as const })
    if (inner.length > 0 && inner.every((k) => k.kind === 'string-like')) return { kind: 'string-like' }
    return { kind: 'other' }
  }
  if (typeof s.type === 'string' && PRIMITIVES.has(s.type) && !COMBINATORS.some((k) => s[k] !== undefined)) {
    return { kind: 'typed', schema: s, type: s.type }
  }
  return { kind: 'other' }
}

/** keywords that only document a schema: dropped from rewritten unions (they do not affect serialization) */
const DOC_ONLY = new Set(['description', 'examples', 'title', 'default', '$comment'])

function rewriteUnion (node: Schema, external: SchemaMap): Schema | undefined {
  const options = node.anyOf ?? node.oneOf
  if (!Array.isArray(options) || options.length === 0) return undefined
  const siblings = Object.keys(node).filter((k) => k !== 'anyOf' && k !== 'oneOf' && k !== '$id' && !DOC_ONLY.has(k))
  if (siblings.length > 0) return undefined
  const id = typeof node.$id === 'string' ? { $id: node.$id } : {}
  const kinds = options.map((o) => isObject(o) ? classify(o, external, 0) : { kind: 'other' as const })
  const hasNull = kinds.some((k) => k.kind === 'null')
  const rest = kinds.filter((k) => k.kind !== 'null')
  if (rest.length === 0 || rest.some((k) => k.kind === 'other')) return undefined
  if (rest.every((k) => k.kind === 'string-like' || (k.kind === 'typed' && k.type === 'string' && k.schema.format === undefined))) {
    return { ...id, type: hasNull ? ['string', 'null'] : 'string' }
  }
  if (rest.length === 1 && rest[0]?.kind === 'typed') {
    const { schema, type } = rest[0]
    const inlined = rewrite({ ...schema }, external)
    delete inlined.$id
    return { ...inlined, ...id, type: hasNull ? [type, 'null'] : type }
  }
  return undefined
}

/** a rewritten copy: the input is never modified (the contract is generated from it) */
export function rewrite (schema: Schema, external: SchemaMap): Schema {
  const union = rewriteUnion(schema, external)
  if (union !== undefined) return union
  const out: Schema = { ...schema }
  if (isObject(schema.properties)) {
    const props: Schema = {}
    for (const [k, v] of Object.entries(schema.properties)) props[k] = isObject(v) ? rewrite(v, external) : v
    out.properties = props
  }
  if (isObject(schema.items)) out.items = rewrite(schema.items, external)
  if (isObject(schema.additionalProperties)) out.additionalProperties = rewrite(schema.additionalProperties, external)
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[k]
    if (Array.isArray(list)) out[k] = list.map((o: unknown) => isObject(o) ? rewrite(o, external) : o)
  }
  return out
}

/** for Fastify's `schemaController.compilersFactory.buildSerializer` */
export function buildSerializerFactory (): SerializerFactory {
  const stock = SerializerSelector()
  return (externalSchemas, options) => {
    const originals = (isObject(externalSchemas) ? externalSchemas : {}) as SchemaMap
    const rewritten: SchemaMap = {}
    for (const [id, s] of Object.entries(originals)) rewritten[id] = isObject(s) ? rewrite(s, originals) : s
    const compile = stock(rewritten, options)
    // one serializer per distinct schema: every route declares the same problem responses (400, 401, 403, 404, …),
    // which would otherwise be compiled again for each route and status — most of the start-up time and memory
    const compiled = new Map<string, ReturnType<typeof compile>>()
    return (route) => {
      const schema = isObject(route.schema) ? rewrite(route.schema, originals) : route.schema
      const key = JSON.stringify(schema)
      let serializer = compiled.get(key)
      if (serializer === undefined) {
        serializer = compile({ ...route, schema })
        compiled.set(key, serializer)
      }
      return serializer
    }
  }
}
