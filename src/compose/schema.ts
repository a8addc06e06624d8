import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import type { Ajv, CodeOptions, ErrorObject, Format, ValidateFunction } from 'ajv';
import composeSchema from './schema/compose-spec.json' with { type: 'json' };
import { loadGeneratedValidator } from './generated-validator.js';
import { matchPath, type PathPattern } from './paths.js';
import { parseDuration, parsePortShort } from './syntax/index.js';

/** One schema violation: where it is (RFC 6901 pointer into the validated value) and what is wrong. */
export interface SchemaIssue {
  pointer: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------
// Compose's custom formats
// ---------------------------------------------------------------------------------------------

const MAX_PORT = 65535;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** An IP address as Go's `net.ParseIP` takes it: dotted IPv4 or IPv6, no zone. */
function isIpAddress(text: string): boolean {
  return isIP(text) !== 0 && !text.includes('%');
}

/** `N` or `N-M` as docker's `nat.ParsePortRange` takes it: decimal digits, 0–65535, M ≥ N. */
function isPortRange(text: string): boolean {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(text);
  if (!m) return false;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  return start <= MAX_PORT && end <= MAX_PORT && end >= start;
}

/**
 * The formats older compose-spec schemas declared (`duration`, `ports`, `expose`,
 * `subnet_ip_address`). Each says what compose itself accepts, so no file that `docker compose`
 * loads is refused. `duration` and `ports` use the same parsers as the normalization phase.
 */
export const COMPOSE_FORMATS: Readonly<Record<string, (value: string) => boolean>> = {
  /** go-str2duration, as compose-go decodes durations: `1m30s`, `500ms`, `2d`, `0`. */
  duration: (value) => parseDuration(value).ok,
  /** A short-syntax port mapping, as `nat.ParsePortSpec`: `[[HOST_IP:]PUBLISHED:]TARGET[/PROTOCOL]`. */
  ports: (value) => parsePortShort(value).ok,
  /** An exposed port, as `docker run --expose`: `PORT[-PORT][/PROTOCOL]`, no host part. */
  expose: (value) => {
    const slash = value.indexOf('/');
    const port = slash < 0 ? value : value.slice(0, slash);
    const protocol = slash < 0 ? 'tcp' : value.slice(slash + 1).toLowerCase() || 'tcp';
    return isPortRange(port) && PROTOCOLS.has(protocol);
  },
  /** A subnet in CIDR notation, as Go's `net.ParseCIDR`: `172.28.0.0/16`, `2001:db8::/64`. */
  subnet_ip_address: (value) => {
    const m = /^([^/]+)\/([0-9]{1,3})$/.exec(value);
    if (!m || !isIpAddress(m[1]!)) return false;
    return Number(m[2]) <= (isIP(m[1]!) === 4 ? 32 : 128);
  },
};

/** What a value of each format is called in a message: `"abc" is not a valid duration`. */
const FORMAT_NOUNS: Readonly<Record<string, string>> = {
  duration: 'duration',
  ports: 'port mapping',
  expose: 'port or port range',
  subnet_ip_address: 'subnet in CIDR notation',
};

/**
 * Where compose checks a value's form at load time though the published schema no longer says
 * so: compose-go decodes these fields with go-str2duration and parses short port specs with
 * `nat.ParsePortSpec`, and refuses the file when that fails. Declaring the format here reports
 * such values in this phase, with the other schema problems. Pointers into the schema.
 */
const DURATION_FIELDS = [
  '/definitions/service/properties/stop_grace_period',
  '/definitions/healthcheck/properties/interval',
  '/definitions/healthcheck/properties/timeout',
  '/definitions/healthcheck/properties/start_period',
  '/definitions/healthcheck/properties/start_interval',
  '/definitions/deployment/properties/update_config/properties/delay',
  '/definitions/deployment/properties/update_config/properties/monitor',
  '/definitions/deployment/properties/rollback_config/properties/delay',
  '/definitions/deployment/properties/rollback_config/properties/monitor',
  '/definitions/deployment/properties/restart_policy/properties/delay',
  '/definitions/deployment/properties/restart_policy/properties/window',
] as const;
const PORT_NUMBER_BRANCH = '/definitions/service/properties/ports/items/oneOf/0';
const PORT_STRING_BRANCH = '/definitions/service/properties/ports/items/oneOf/1';

type SchemaObject = Record<string, unknown>;

function schemaAt(root: SchemaObject, pointer: string): SchemaObject {
  let node: unknown = root;
  for (const segment of pointer.split('/').slice(1)) {
    node = (node as SchemaObject | undefined)?.[segment.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  if (node === null || typeof node !== 'object') throw new Error(`compose schema has no ${pointer}`);
  return node as SchemaObject;
}

function expectType(node: SchemaObject, pointer: string, type: string): SchemaObject {
  if (node['type'] !== type) throw new Error(`compose schema: expected ${pointer} to be of type ${type}`);
  return node;
}

/**
 * The official schema with compose's load-time checks declared on it. Throws when the schema no
 * longer has the expected shape, so an update of the JSON file cannot drop a check silently.
 */
function prepareComposeSchema(): SchemaObject {
  const schema = structuredClone(composeSchema) as SchemaObject;
  // Ajv knows draft-07 by its http URL; the file names it by https. The content is draft-07.
  delete schema['$schema'];
  for (const pointer of DURATION_FIELDS) expectType(schemaAt(schema, pointer), pointer, 'string')['format'] = 'duration';
  expectType(schemaAt(schema, PORT_STRING_BRANCH), PORT_STRING_BRANCH, 'string')['format'] = 'ports';
  // Formats only apply to strings; a numeric port must be a whole port number.
  Object.assign(expectType(schemaAt(schema, PORT_NUMBER_BRANCH), PORT_NUMBER_BRANCH, 'number'), {
    type: 'integer',
    minimum: 0,
    maximum: MAX_PORT,
  });
  return schema;
}

// ---------------------------------------------------------------------------------------------
// The validator: generated at build time, else compiled once per process
// ---------------------------------------------------------------------------------------------

/**
 * allErrors: every problem of a file at once. verbose: errors carry their schema objects, used to
 * name valid properties and to tell which branch of a oneOf an error comes from.
 */
const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true, inlineRefs: false } as const;

/**
 * What `scripts/build-schema.mjs` writes to `schema/validate.js` beside this module. Compiling
 * the schema takes ajv about 200 ms, most of a `shipshape config` run; the generated code loads
 * in a few. It is a factory because the formats it checks are defined here.
 */
interface PrecompiledValidator {
  /** The fingerprint of the schema and options it was generated from; any other makes it stale. */
  fingerprint: string;
  /** The formats the generated code looks up by name. */
  formats: readonly string[];
  createValidator(formats: Readonly<Record<string, Format>>): ValidateFunction;
}

const require = createRequire(import.meta.url);

/**
 * The generated validator, or undefined when it is absent (sources run without `npm run build`)
 * or unusable; the schema is compiled instead then.
 */
function loadPrecompiled(): PrecompiledValidator | undefined {
  try {
    const { fingerprint, formats, createValidator } = loadGeneratedValidator() as Partial<PrecompiledValidator>;
    if (typeof fingerprint !== 'string' || !Array.isArray(formats) || typeof createValidator !== 'function') return undefined;
    return { fingerprint, formats, createValidator };
  } catch {
    return undefined;
  }
}

/**
 * Identifies the schema as prepared here, the ajv options and the format names: a generated
 * validator whose fingerprint differs was made from another schema or other settings.
 */
function fingerprintOf(schema: SchemaObject): string {
  const source = JSON.stringify([AJV_OPTIONS, Object.keys(COMPOSE_FORMATS), schema]);
  return createHash('sha256').update(source).digest('hex');
}

/** How a format is given to ajv: compose's own, else the one ajv-formats defines by that name. */
function formatDefinition(name: string): Format | undefined {
  const compose = COMPOSE_FORMATS[name];
  if (compose) return { type: 'string', validate: compose };
  const { fullFormats } = require('ajv-formats/dist/formats') as { fullFormats: Record<string, Format | undefined> };
  return fullFormats[name];
}

/** What compiling the compose schema takes: a configured Ajv, the schema, and facts about it. */
export interface ComposeSchemaCompiler {
  ajv: Ajv;
  /** The official schema with compose's load-time checks declared on it. */
  schema: SchemaObject;
  /** The formats the schema uses. */
  formats: string[];
  /** Identifies schema, options and formats; a generated validator records the one it was made from. */
  fingerprint: string;
}

/**
 * An Ajv instance set up for the compose schema, and the prepared schema to compile with it.
 * Both the run-time fallback and `scripts/build-schema.mjs` (which passes `code` options for
 * standalone generation) use it, so the generated validator is the one this would compile.
 */
export function composeSchemaCompiler(code?: CodeOptions): ComposeSchemaCompiler {
  const schema = prepareComposeSchema();
  // Required here, not imported: with a generated validator, ajv is never loaded.
  const { Ajv } = require('ajv') as typeof import('ajv');
  const ajvFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  const ajv = new Ajv({ ...AJV_OPTIONS, ...(code ? { code } : {}) });
  ajvFormats(ajv);
  for (const name of Object.keys(COMPOSE_FORMATS)) ajv.addFormat(name, formatDefinition(name)!);
  // With strict off ajv would only warn about an unknown format and then accept any value.
  const formats = formatsUsed(schema);
  const unknown = formats.filter((format) => !(format in ajv.formats));
  if (unknown.length > 0) throw new Error(`compose schema uses unknown formats: ${unknown.join(', ')}`);
  return { ajv, schema, formats, fingerprint: fingerprintOf(schema) };
}

type ValidatorOrigin = 'precompiled' | 'compiled';

interface Compiled {
  validate: ValidateFunction;
  schema: SchemaObject;
  origin: ValidatorOrigin;
}

let compiled: Compiled | undefined;
let compilations = 0;

function compile(): Compiled {
  if (compiled) return compiled;
  compiled = fromGenerated() ?? fromCompiler();
  compilations++;
  return compiled;
}

/** The generated validator, when there is one made from this very schema and these options. */
function fromGenerated(): Compiled | undefined {
  const precompiled = loadPrecompiled();
  if (!precompiled) return undefined;
  const schema = prepareComposeSchema();
  if (precompiled.fingerprint !== fingerprintOf(schema)) return undefined;
  const formats: Record<string, Format> = {};
  for (const name of precompiled.formats) {
    const definition = formatDefinition(name);
    if (!definition) return undefined;
    formats[name] = definition;
  }
  try {
    return { validate: precompiled.createValidator(formats), schema, origin: 'precompiled' };
  } catch {
    return undefined;
  }
}

function fromCompiler(): Compiled {
  const { ajv, schema } = composeSchemaCompiler();
  return { validate: ajv.compile(schema), schema, origin: 'compiled' };
}

/** Every `format` the schema declares (a string under the key "format"; `properties.format` is a schema). */
function formatsUsed(node: unknown, found = new Set<string>()): string[] {
  if (Array.isArray(node)) {
    for (const item of node) formatsUsed(item, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'format' && typeof value === 'string') found.add(value);
      else formatsUsed(value, found);
    }
  }
  return [...found];
}

/**
 * How many times this process built the validator, from the generated code or by compiling
 * (for tests: it must stay at 1).
 */
export function schemaCompilations(): number {
  return compilations;
}

/** Where the validator in use came from; undefined before the first validation. */
export function schemaValidatorOrigin(): ValidatorOrigin | undefined {
  return compiled?.origin;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/**
 * Validates one compose file's content against the compose-spec schema, as compose does: after
 * interpolation, before any type casting (so `"8080"` is as good as `8080` where the schema
 * takes both). Returns one issue per problem, in document order, worded like compose
 * ("services.web.ports must be a list"). Never throws.
 */
export function validateComposeSchema(doc: unknown): SchemaIssue[] {
  const { validate, schema } = compile();
  let errors: ErrorObject[];
  try {
    if (validate(doc)) return [];
    errors = validate.errors ?? [];
  } catch (error) {
    // Only a value no YAML document produces gets here (a cycle, for one).
    const reason = error instanceof Error ? error.message : String(error);
    return [{ pointer: '', message: `the document could not be validated: ${reason}` }];
  }
  const issues = buildErrorTree(errors).flatMap((node) => translate(node, schema));
  return inDocumentOrder(deduplicate(issues), doc);
}

// ---------------------------------------------------------------------------------------------
// From ajv's errors to one message per problem
// ---------------------------------------------------------------------------------------------

interface ErrorNode {
  error: ErrorObject;
  /** For oneOf/anyOf/if: the errors of the alternatives, in the order ajv found them. */
  children: ErrorNode[];
}

const COMBINATORS = new Set(['oneOf', 'anyOf', 'if']);

function isAtOrBelow(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(ancestor + '/');
}

/**
 * Ajv lists the errors of a oneOf's alternatives just before the oneOf's own error (it reports
 * in evaluation order, children first). Rebuilds that nesting: a combinator adopts the errors
 * right before it that concern its value or something inside it.
 */
function buildErrorTree(errors: readonly ErrorObject[]): ErrorNode[] {
  const stack: ErrorNode[] = [];
  for (const error of errors) {
    const node: ErrorNode = { error, children: [] };
    if (COMBINATORS.has(error.keyword)) {
      let first = stack.length;
      while (first > 0 && isAlternativeOf(stack[first - 1]!.error, error)) first--;
      node.children = stack.splice(first);
    }
    stack.push(node);
  }
  return stack;
}

function isAlternativeOf(child: ErrorObject, combinator: ErrorObject): boolean {
  if (!isAtOrBelow(child.instancePath, combinator.instancePath)) return false;
  const holder = combinator.schemaPath.slice(0, combinator.schemaPath.lastIndexOf('/') + 1);
  const own = combinator.keyword === 'if' ? [`${holder}then/`, `${holder}else/`] : [`${combinator.schemaPath}/`];
  if (own.some((prefix) => child.schemaPath.startsWith(prefix))) return true;
  // An error from another keyword of the schema object that holds the combinator is not one of
  // its branches; one from elsewhere is a branch's referenced schema ("#/definitions/…").
  return holder.length <= 2 || !child.schemaPath.startsWith(holder);
}

function translate(node: ErrorNode, schema: SchemaObject): SchemaIssue[] {
  const { error } = node;
  if (error.keyword === 'oneOf' || error.keyword === 'anyOf') return translateAlternatives(node, schema);
  if (error.keyword === 'if') {
    if (node.children.length === 0) return [issueAt(error.instancePath, 'does not match the conditions for its value')];
    return node.children.flatMap((child) => translate(child, schema));
  }
  if (error.keyword === 'uniqueItems' && isDeduplicatedByCompose(error.instancePath)) return [];
  return [translateLeaf(error)];
}

/**
 * A value that matches none of the alternatives. When some alternative has the value's type
 * (a mapping where a string or a mapping is allowed), its errors say what is wrong; otherwise
 * the message lists the types that are allowed.
 */
function translateAlternatives(node: ErrorNode, schema: SchemaObject): SchemaIssue[] {
  const { error, children } = node;
  const at = error.instancePath;
  if (children.length === 0) {
    const passing = (error.params as { passingSchemas?: unknown }).passingSchemas;
    return [issueAt(at, Array.isArray(passing) ? 'matches more than one of its allowed forms' : 'is not valid here')];
  }
  const relevant = children.filter((child) => !isTypeMismatchAt(child, at));
  if (relevant.length === 0) return [issueAt(at, `must be ${typePhrase(children.flatMap(expectedTypes))}`)];

  const groups = new Map<string, ErrorNode[]>();
  for (const child of relevant) {
    const branch = branchOf(child, error, schema);
    groups.set(branch, [...(groups.get(branch) ?? []), child]);
  }
  let best: { nodes: ErrorNode[]; issues: SchemaIssue[] } | undefined;
  for (const nodes of groups.values()) {
    const issues = nodes.flatMap((child) => translate(child, schema));
    // Nothing left to say: the alternative holds once compose's own clean-up is accounted for.
    if (issues.length === 0) return [];
    if (!best || isMoreSpecific(nodes, best.nodes)) best = { nodes, issues };
  }
  return best?.issues ?? [];
}

/**
 * The lists compose-go de-duplicates (`override.EnforceUnicity`) before it validates, so a
 * repeated item there is never a schema error for compose: `uniqueItems` does not apply.
 */
const COMPOSE_DEDUPLICATED_LISTS: readonly PathPattern[] = [
  'networks.*.labels',
  'networks.*.ipam.options',
  'services.*.annotations',
  'services.*.build.args',
  'services.*.build.additional_contexts',
  'services.*.build.platform',
  'services.*.build.tags',
  'services.*.build.labels',
  'services.*.cap_add',
  'services.*.cap_drop',
  'services.*.configs',
  'services.*.deploy.labels',
  'services.*.devices',
  'services.*.dns',
  'services.*.dns_opt',
  'services.*.dns_search',
  'services.*.env_file',
  'services.*.environment',
  'services.*.expose',
  'services.*.labels',
  'services.*.links',
  'services.*.networks.*.aliases',
  'services.*.networks.*.link_local_ips',
  'services.*.ports',
  'services.*.profiles',
  'services.*.secrets',
  'services.*.sysctls',
  'services.*.tmpfs',
  'services.*.volumes',
];

function isDeduplicatedByCompose(pointer: string): boolean {
  const path = pointerSegments(pointer);
  return COMPOSE_DEDUPLICATED_LISTS.some((pattern) => matchPath(pattern, path));
}

/** An error saying only that the value at `at` has a type this alternative does not take. */
function isTypeMismatchAt(node: ErrorNode, at: string): boolean {
  if (node.error.instancePath !== at) return false;
  if (node.error.keyword === 'type') return true;
  return (
    (node.error.keyword === 'oneOf' || node.error.keyword === 'anyOf') &&
    node.children.length > 0 &&
    node.children.every((child) => isTypeMismatchAt(child, at))
  );
}

function expectedTypes(node: ErrorNode): string[] {
  if (node.error.keyword !== 'type') return node.children.flatMap(expectedTypes);
  const type = (node.error.params as { type?: unknown }).type;
  if (Array.isArray(type)) return type.map(String);
  return String(type).split(',');
}

/** Which alternative of `combinator` an error comes from: its index, or "?" when ajv does not say. */
function branchOf(child: ErrorNode, combinator: ErrorObject, schema: SchemaObject): string {
  const own = combinator.schemaPath + '/';
  if (child.error.schemaPath.startsWith(own)) return child.error.schemaPath.slice(own.length).split('/')[0]!;
  const branches = combinator.schema;
  if (!Array.isArray(branches)) return '?';
  for (const [index, branch] of branches.entries()) {
    if (branch === child.error.parentSchema) return String(index);
    const ref = (branch as SchemaObject | null)?.['$ref'];
    if (typeof ref === 'string' && ref.startsWith('#/')) {
      if (child.error.schemaPath.startsWith(ref + '/')) return String(index);
      try {
        if (schemaAt(schema, ref.slice(1)) === child.error.parentSchema) return String(index);
      } catch {
        // not a local reference this schema resolves: not this branch
      }
    }
  }
  return '?';
}

/** The alternative whose errors reach deepest into the value is the one the author meant. */
function isMoreSpecific(a: readonly ErrorNode[], b: readonly ErrorNode[]): boolean {
  const depth = (group: readonly ErrorNode[]): number => Math.max(...group.map((n) => specificity(n.error)));
  const da = depth(a);
  const db = depth(b);
  return da !== db ? da > db : a.length < b.length;
}

function specificity(error: ErrorObject): number {
  const depth = error.instancePath === '' ? 0 : error.instancePath.split('/').length - 1;
  return error.keyword === 'additionalProperties' ? depth + 1 : depth;
}

function translateLeaf(error: ErrorObject): SchemaIssue {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return issueAt(at, `must be ${typePhrase(expectedTypes({ error, children: [] }))}`);
    case 'additionalProperties':
      return additionalProperty(at, String(params['additionalProperty']), error.parentSchema);
    case 'required':
      return issueAt(at, `is missing required property ${quote(params['missingProperty'])}`);
    case 'enum':
      return issueAt(at, `must be ${choices(params['allowedValues'])}, not ${quote(error.data)}`);
    case 'const':
      return issueAt(at, `must be ${quote(params['allowedValue'])}, not ${quote(error.data)}`);
    case 'format':
      return issueAt(at, formatProblem(String(params['format']), error.data));
    case 'pattern':
      return issueAt(at, `${quote(error.data)} does not match the pattern ${String(params['pattern'])}`);
    case 'minimum':
      return issueAt(at, `must be greater than or equal to ${String(params['limit'])}`);
    case 'maximum':
      return issueAt(at, `must be less than or equal to ${String(params['limit'])}`);
    case 'exclusiveMinimum':
      return issueAt(at, `must be greater than ${String(params['limit'])}`);
    case 'exclusiveMaximum':
      return issueAt(at, `must be less than ${String(params['limit'])}`);
    case 'multipleOf':
      return issueAt(at, `must be a multiple of ${String(params['multipleOf'])}`);
    case 'minItems':
      return issueAt(at, `must have at least ${count(params['limit'], 'item')}`);
    case 'maxItems':
      return issueAt(at, `must have at most ${count(params['limit'], 'item')}`);
    case 'minLength':
      return issueAt(at, `must be at least ${count(params['limit'], 'character')} long`);
    case 'maxLength':
      return issueAt(at, `must be at most ${count(params['limit'], 'character')} long`);
    case 'minProperties':
      return issueAt(at, `must have at least ${count(params['limit'], 'entry', 'entries')}`);
    case 'maxProperties':
      return issueAt(at, `must have at most ${count(params['limit'], 'entry', 'entries')}`);
    case 'uniqueItems': {
      const i = Number(params['i']);
      const j = Number(params['j']);
      const [first, second] = i < j ? [i, j] : [j, i];
      const value = Array.isArray(error.data) ? error.data[second] : undefined;
      return {
        pointer: `${at}/${second}`,
        message: `${subject(at)} contains ${quote(value)} more than once (items ${first} and ${second})`,
      };
    }
    case 'dependencies':
    case 'dependentRequired':
      return issueAt(
        at,
        `must have property ${quote(params['missingProperty'])} when it has ${quote(params['property'])}`,
      );
    case 'false schema':
      return issueAt(at, 'is not allowed');
    default:
      return issueAt(at, error.message ?? `is not valid (${error.keyword})`);
  }
}

/** `"abc" is not a valid duration`; for a port mapping also why, as the port parser says it. */
function formatProblem(format: string, value: unknown): string {
  const problem = `${quote(value)} is not a valid ${FORMAT_NOUNS[format] ?? format}`;
  if (format !== 'ports' || typeof value !== 'string') return problem;
  const parsed = parsePortShort(value);
  const prefix = `invalid port ${JSON.stringify(value)}: `;
  return !parsed.ok && parsed.error.startsWith(prefix) ? `${problem}: ${parsed.error.slice(prefix.length)}` : problem;
}

/** `services.web additional property "imgae" is not allowed (did you mean "image"?)`, located at the property. */
function additionalProperty(at: string, name: string, parentSchema: unknown): SchemaIssue {
  const holder = (parentSchema ?? {}) as SchemaObject;
  const known = Object.keys((holder['properties'] ?? {}) as SchemaObject);
  const suggestion = closest(name, known);
  let hint = '';
  if (suggestion !== undefined) {
    hint = ` (did you mean ${quote(suggestion)}?)`;
  } else {
    const patterns = Object.keys((holder['patternProperties'] ?? {}) as SchemaObject).filter((p) => p !== '^x-');
    if (known.length === 0 && patterns.length === 1) hint = ` (a name must match ${patterns[0]})`;
  }
  const what = `additional property ${quote(name)} is not allowed${hint}`;
  return { pointer: `${at}/${escapePointer(name)}`, message: at === '' ? what : `${subject(at)} ${what}` };
}

/**
 * The known name nearest to a typo, by edit distance with transpositions, when it is close
 * enough to be what was meant: one edit, or up to one per three characters when the first
 * letter is right (`pre_start` is not a typo of `restart`).
 */
function closest(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const limit = other[0] === lower[0] ? Math.max(1, Math.floor(name.length / 3)) : 1;
    const distance = editDistance(lower, other);
    if (distance < bestDistance && distance <= limit && distance < Math.max(name.length, candidate.length)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

// ---------------------------------------------------------------------------------------------
// Wording
// ---------------------------------------------------------------------------------------------

function issueAt(pointer: string, predicate: string): SchemaIssue {
  return { pointer, message: `${subject(pointer)} ${predicate}` };
}

/** The dotted path compose prints (`services.web.ports.0`); the whole file is the top-level object. */
function subject(pointer: string): string {
  return pointer === '' ? 'top-level object' : pointerSegments(pointer).join('.');
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

const TYPE_NAMES: Readonly<Record<string, string>> = { object: 'mapping', array: 'list' };
const TYPE_ORDER = ['string', 'number', 'integer', 'boolean', 'list', 'mapping', 'null'];

/** `a string`, `a string or number`, `a string, number or mapping`, `an integer`, `null`. */
function typePhrase(types: readonly string[]): string {
  const names = new Set(types.map((t) => TYPE_NAMES[t] ?? t));
  if (names.has('number')) names.delete('integer');
  const rank = (t: string): number => (TYPE_ORDER.includes(t) ? TYPE_ORDER.indexOf(t) : TYPE_ORDER.length);
  const ordered = [...names].sort((x, y) => rank(x) - rank(y));
  const first = ordered[0] ?? 'value';
  const article = first === 'null' ? '' : /^[aeiou]/.test(first) ? 'an ' : 'a ';
  return article + joinOr(ordered);
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function choices(values: unknown): string {
  const list = Array.isArray(values) ? values.map(quote) : [quote(values)];
  return list.length === 1 ? list[0]! : `one of ${joinOr(list)}`;
}

function count(n: unknown, singular: string, plural = `${singular}s`): string {
  return `${String(n)} ${Number(n) === 1 ? singular : plural}`;
}

const MAX_QUOTED = 60;

/** A value as it appears in a message: JSON, shortened when long. */
function quote(value: unknown): string {
  let text: string;
  if (value === undefined) text = 'nothing';
  else if (typeof value === 'bigint') text = String(value);
  else if (Array.isArray(value)) text = 'a list';
  else if (value !== null && typeof value === 'object') text = 'a mapping';
  else text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// Order
// ---------------------------------------------------------------------------------------------

function deduplicate(issues: readonly SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.pointer}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Sorts issues as their places appear in the document (mapping keys in their written order). */
function inDocumentOrder(issues: SchemaIssue[], doc: unknown): SchemaIssue[] {
  if (issues.length < 2) return issues;
  const keyed = issues.map((issue, index) => ({ issue, index, place: placeOf(issue.pointer, doc) }));
  keyed.sort((x, y) => comparePlaces(x.place, y.place) || x.index - y.index);
  return keyed.map((k) => k.issue);
}

function placeOf(pointer: string, doc: unknown): number[] {
  const place: number[] = [];
  let node = doc;
  for (const segment of pointerSegments(pointer)) {
    if (Array.isArray(node)) {
      place.push(Number(segment));
      node = node[Number(segment)];
    } else if (node !== null && typeof node === 'object') {
      const keys = Object.keys(node);
      place.push(keys.indexOf(segment));
      node = (node as Record<string, unknown>)[segment];
    } else {
      place.push(0);
      node = undefined;
    }
  }
  return place;
}

function comparePlaces(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
