import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/**
 * One validation policy for both apps. Query strings and paths are text, so their numbers and
 * booleans are coerced; JSON bodies are typed already and taken as they are: `"max_containers":
 * "10"` or an unknown field is an error, not something to guess about. Errors become 400 (422
 * on machine-lab routes) in the error handler.
 */
export function useValidationPolicy(app: FastifyInstance): void {
  const base: AjvOptions = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false };
  const body = addFormats.default(new Ajv({ ...base, coerceTypes: false }));
  const text = addFormats.default(new Ajv({ ...base, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema));
}
