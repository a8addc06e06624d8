import type { Service } from '../../../compose/index.js';

/**
 * A list field of the model as a list. A file that fails schema validation is still analyzed, so
 * `cap_add: SYS_ADMIN` (a string) can reach the rules; that mistake is the schema rule's finding.
 */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** `cap_add`/`cap_drop` entries as the engine reads them: any case, with or without `CAP_`. */
export function capabilityName(raw: string): string {
  const upper = String(raw).trim().toUpperCase();
  return upper.startsWith('CAP_') ? upper.slice(4) : upper;
}

export interface SecurityOption {
  index: number;
  /** `seccomp`, `apparmor`, `label`, `no-new-privileges`, `systempaths`… (lower case). */
  key: string;
  /** What follows the first separator; '' for a bare flag such as `no-new-privileges`. */
  value: string;
  raw: string;
}

/**
 * Splits `security_opt` entries as the engine does: on the first `=` when there is one, else on
 * the first `:` (the older spelling), so `label:type:spc_t` keeps `type:spc_t` as its value.
 */
export function securityOptions(service: Service): SecurityOption[] {
  return listOf(service.security_opt).map((raw, index) => {
    const text = String(raw).trim();
    const sep = text.includes('=') ? '=' : ':';
    const at = text.indexOf(sep);
    const key = (at < 0 ? text : text.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? '' : text.slice(at + 1).trim();
    return { index, key, value, raw: text };
  });
}

/** Go's `strconv.ParseBool`, which the engine uses for `no-new-privileges:<bool>`. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}
