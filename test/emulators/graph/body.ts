// Reading a JSON request body the way Graph does: unknown properties are rejected with RequestBodyRead,
// read-only ones are ignored, and wrong types are named (zod validates at the edge).
import { z } from 'zod';
import { badRequest } from './errors';

const ALWAYS_IGNORED = ['id', 'changeKey', 'createdDateTime', 'lastModifiedDateTime', '@odata.etag', '@odata.type', '@odata.context'];

export function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('The request body must be a JSON object.', 'RequestBodyRead');
  return value as Record<string, unknown>;
}

/** Validates `body` against the writable properties of `typeName`; returns only those, typed. */
export function readWritable<S extends z.ZodRawShape>(
  body: Record<string, unknown>,
  shape: S,
  typeName: string,
  ignored: string[] = [],
): Partial<z.infer<z.ZodObject<S>>> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (ALWAYS_IGNORED.includes(key) || ignored.includes(key) || key.includes('@odata.')) continue;
    if (!(key in shape)) {
      throw badRequest(
        `The property '${key}' does not exist on type 'microsoft.graph.${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
        'RequestBodyRead',
      );
    }
    input[key] = value;
  }
  const result = partialSchema(shape).safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw badRequest(`Invalid value for property '${issue.path.join('.')}' on type 'microsoft.graph.${typeName}': ${issue.message}`, 'RequestBodyRead');
  }
  return result.data as Partial<z.infer<z.ZodObject<S>>>;
}

/** Building a zod schema costs far more than running it: one partial schema per shape object. */
const partialSchemas = new WeakMap<z.ZodRawShape, z.ZodType>();
function partialSchema(shape: z.ZodRawShape): z.ZodType {
  let schema = partialSchemas.get(shape);
  if (!schema) {
    schema = z.object(shape).partial();
    partialSchemas.set(shape, schema);
  }
  return schema;
}

export const nullableString = z.string().nullable();
export const stringList = z.array(z.string());
export const dateTimeTimeZone = z.object({ dateTime: z.string(), timeZone: z.string().optional().nullable() });
export const itemBody = z.object({ contentType: z.string().optional(), content: z.string().nullable().optional() });
export const extendedProperties = z.array(z.object({ id: z.string(), value: z.string() }));
