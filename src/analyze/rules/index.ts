import type { Rule } from '../types.js';
import { DOCKERFILE_RULES } from './dockerfile/index.js';
import { RELIABILITY_RULES } from './reliability/index.js';
import { SECURITY_RULES } from './security/index.js';
import { VALIDATION_RULES } from './validation/index.js';
import hardcodedSecret, { imageSecretFindings } from './security/hardcoded-secret.js';
import imageVulnerability from './security/image-vulnerability.js';

/** Every rule, in report order: validation, security, reliability, dockerfile. */
export const RULES = [
  ...VALIDATION_RULES,
  ...SECURITY_RULES,
  ...RELIABILITY_RULES,
  ...DOCKERFILE_RULES,
] as const satisfies readonly Rule[];

export type RuleId = (typeof RULES)[number]['id'];

export function findRule(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
export { ALLOWED_HOST_PATH_MARK } from './security/host-path-escape.js';

/**
 * What `shipshape scan` reports: the image rules alone, the layer secrets under the id of
 * hardcoded-secret (docs/scan.md).
 */
export const IMAGE_RULES: readonly Rule[] = [imageVulnerability, { ...hardcodedSecret, check: imageSecretFindings }];
