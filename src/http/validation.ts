import { Ajv, type AnySchema } from 'ajv'
import addFormatsModule from 'ajv-formats'
import fastUri from 'fast-uri'

// ajv-formats is CommonJS; its default export arrives wrapped under ESM
type AddFormats = (ajv: Ajv) => Ajv
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats

/**
 * Two validators: bodies are validated exactly (no type coercion, unknown fields refused by the schemas'
 * additionalProperties: false and never silently removed); query strings, params and headers are text on the
 * wire, so they may be coerced ("50" → 50).
 */
export function buildValidatorFactory () {
  return (externalSchemas: Record<string, unknown>) => {
    const make = (coerceTypes: false | 'array') => {
      const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, uriResolver: fastUri, addUsedSchema: false, strict: false })
      addFormats(ajv)
      for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as AnySchema)
      return ajv
    }
    const exact = make(false)
    const coercing = make('array')
    return ({ schema, httpPart }: { schema: AnySchema; httpPart?: string }) => {
      const ajv = httpPart === 'body' ? exact : coercing
      const id = (schema as { $id?: string }).$id
      if (id !== undefined) {
        const stored = ajv.getSchema(id)
        if (stored !== undefined) return stored
      }
      return ajv.compile(schema)
    }
  }
}
