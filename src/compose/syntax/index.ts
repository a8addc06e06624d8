/**
 * Pure parsers for compose's short syntaxes. The normalization phase uses them to turn short forms
 * into the long forms that `docker compose config` (compose-go) prints. None of them throws: each
 * returns a `Parsed` value whose error is a plain sentence naming the bad input.
 */

/** The result of a parser: the value, or a sentence saying what is wrong and what is expected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export { parsePortShort, normalizePortLong, type PortConfig } from './ports.js';
export { parseVolumeShort, parseDevice, type VolumeMount, type DeviceMapping } from './volumes.js';
export { parseDuration, formatDuration, parseBytes } from './units.js';
export {
  parseEnvironment,
  parseEnvironmentList,
  parseExtraHosts,
  formatExtraHosts,
  parseLabels,
  parseSysctls,
  parseUlimit,
  normalizeDependsOn,
  type Ulimit,
  type DependencyCondition,
  type ServiceDependency,
} from './lists.js';
