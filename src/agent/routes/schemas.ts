import { Type } from 'typebox';
import { CONTAINER_REF_PATTERN, DetailBody, ErrorBody, STACK_NAME_PATTERN } from '../../contract/index.js';

const ERROR_WORDS: Readonly<Record<number, string>> = {
  400: 'Invalid request',
  401: 'Missing or wrong server key',
  404: 'Not found',
  409: 'Conflict, or a limit (MAX_CONTAINERS, MAX_CPU_PERCENT, MAX_MEMORY_PERCENT) reached',
  413: 'Package too large',
  422: 'Refused: the analysis gate, an unsafe package, a compose file that does not load',
  502: 'The Docker engine refused',
  503: 'The Docker engine is unavailable',
};

/** Error responses of a route, for its OpenAPI description and serialization. */
export function errors(...codes: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(codes.map((code) => [code, { ...ErrorBody, description: ERROR_WORDS[code] ?? 'Error' }]));
}

export function compatErrors(...codes: number[]): Record<number, typeof DetailBody> {
  return Object.fromEntries(codes.map((code) => [code, { ...DetailBody, description: ERROR_WORDS[code] ?? 'Error' }]));
}

export const ContainerParams = Type.Object({ id: Type.String({ pattern: CONTAINER_REF_PATTERN, description: 'Container ID or name' }) });
export const StackParams = Type.Object({ name: Type.String({ pattern: STACK_NAME_PATTERN }) });
/** machine-lab's names are UUIDs; a name that could not be a stack is simply not found. */
export const CompatParams = Type.Object({ name: Type.String({ maxLength: 128 }) });

/** A text or JSON-lines stream; documented, not serialized. */
export const StreamResponse = Type.String({ description: 'text/plain lines, or application/x-ndjson when asked for with Accept' });
