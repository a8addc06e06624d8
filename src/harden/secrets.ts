import { basename, isAbsolute, relative, resolve } from 'node:path';
import type { Finding } from '../analyze/index.js';
import { planFor } from './shared.js';
import type { HardenInput, HardenPlan } from './types.js';

const RULES = new Set(['hardcoded-secret', 'default-credential']);

/** One environment value a secret finding points at. */
interface SecretValue {
  service: string;
  key: string;
  rule: string;
  /** The value as written (`${DB_PASSWORD:-postgres}`, `postgres://u:pw@db/app`, `s3cret`). */
  raw: string;
  /** The variable it is the default of, when it is one. */
  variable?: string;
}

const secretName = (text: string) => text.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'secret';

/** Where secret files go: `secrets generate` creates them (docs/harden.md, "Secrets"). */
export const secretFile = (name: string) => `./secrets/${name}.txt`;

/**
 * Secret values leave the compose files. A value the image can read from a file (`<KEY>_FILE`,
 * its entrypoint says so) becomes a compose secret read from `./secrets/<name>.txt`; any other
 * becomes a required variable (`${VAR:?…}`), kept in an untracked `.env`. Users of one variable
 * or one literal move together, so they keep sharing one value. A configuration file a service
 * mounts with a password in it is mounted as a secret instead of a bind.
 */
export function secrets(input: HardenInput, plan: HardenPlan): void {
  const findings = input.findings.filter((f) => RULES.has(f.rule));
  const values = environmentValues(input, findings);
  const groups = new Map<string, SecretValue[]>();
  for (const v of values) {
    const key = v.variable ? `var:${v.variable}` : `literal:${v.raw}`;
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  for (const members of groups.values()) {
    const asFile = members.every((m) => !/:\/\//.test(m.raw) && readsFile(input, m.service, m.key));
    const name = secretName(members[0]!.variable ?? members.find((m) => !/:\/\//.test(m.raw))?.key ?? `${members[0]!.service}_${members[0]!.key}`);
    for (const m of members) {
      const entry = secretsEntry(plan, m.service);
      entry.rules = [...new Set([...entry.rules, m.rule])];
      if (asFile) {
        entry.removeEnvironment.push(m.key);
        entry.setEnvironment[`${m.key}_FILE`] = `/run/secrets/${name}`;
        if (!entry.refs.some((r) => r.source === name)) entry.refs.push({ source: name });
        plan.secrets[name] = { file: secretFile(name), rules: [m.rule], note: 'created by `shipshape secrets generate`' };
      } else {
        const variable = m.variable ?? name.toUpperCase();
        entry.setEnvironment[m.key] = required(m, variable);
        if (!plan.requiredVariables.includes(variable)) plan.requiredVariables.push(variable);
      }
    }
  }
  configFiles(input, findings, plan);
}

function secretsEntry(plan: HardenPlan, service: string) {
  const p = planFor(plan.services, service);
  p.secrets ??= { removeEnvironment: [], setEnvironment: {}, refs: [], rules: [], note: 'secret values leave the compose files' };
  return p.secrets;
}

/** The value with its secret replaced by a required variable. */
function required(m: SecretValue, variable: string): string {
  const must = `\${${variable}:?set ${variable} in .env}`;
  if (m.variable) return m.raw.replace(new RegExp(`\\$\\{${m.variable}:?-[^}]*\\}`, 'g'), must);
  const url = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@.*)$/i.exec(m.raw);
  if (url) return `${url[1]}${must}${url[3]}`;
  return must;
}

function readsFile(input: HardenInput, service: string, key: string): boolean {
  const files = input.images.get(service)?.fileVariables;
  return files === 'all' || (files !== undefined && files.has(key));
}

/** The environment entries the secret findings point at, with their raw text from the file. */
function environmentValues(input: HardenInput, findings: Finding[]): SecretValue[] {
  const out: SecretValue[] = [];
  for (const [service, s] of Object.entries(input.project.services)) {
    for (const key of Object.keys(s.environment ?? {})) {
      const pos = input.positionOf(['services', service, 'environment', key]);
      if (!pos) continue;
      const file = relative(input.dir, pos.file) || pos.file;
      const finding = findings.find((f) => f.line === pos.line && (f.file === file || resolve(input.dir, f.file) === pos.file));
      if (!finding) continue;
      const raw = rawValue(input.readText(pos.file), pos.line, key);
      if (raw === undefined) continue;
      const variable = /\$\{([A-Za-z_][A-Za-z0-9_]*):?-/.exec(raw)?.[1];
      out.push({ service, key, rule: finding.rule, raw, ...(variable ? { variable } : {}) });
    }
  }
  return out;
}

/** `KEY: value`, `- KEY=value`, quotes removed. */
function rawValue(text: string | undefined, line: number, key: string): string | undefined {
  const row = text?.split(/\r?\n/)[line - 1];
  if (row === undefined) return undefined;
  const m = new RegExp(`(?:^|[\\s"'-])${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*[:=]\\s*(.*)$`).exec(row);
  if (!m) return undefined;
  let value = m[1]!.replace(/\s+#.*$/, '').trim();
  if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1);
  return value;
}

/** A configuration file with a secret in it, bind-mounted alone, is mounted as a secret (same path, read-only). */
function configFiles(input: HardenInput, findings: Finding[], plan: HardenPlan): void {
  for (const finding of findings) {
    const file = resolve(input.dir, finding.file);
    if (input.project.files.includes(file)) continue;
    for (const [service, s] of Object.entries(input.project.services)) {
      const volumes = Array.isArray(s.volumes) ? s.volumes : [];
      const index = volumes.findIndex((v) => v.type === 'bind' && v.source === file);
      if (index < 0) continue;
      const name = secretName(`${service}_${basename(file)}`);
      const entry = secretsEntry(plan, service);
      entry.rules = [...new Set([...entry.rules, finding.rule])];
      // Written back relative to the project, as a user writes them; named volumes keep their key.
      entry.volumes = (entry.volumes ?? volumes.map((v) => (v.type === 'bind' && v.source ? { ...v, source: projectPath(input, v.source) } : v))).filter(
        (v) => v.target !== volumes[index]!.target,
      );
      if (!entry.refs.some((r) => r.source === name)) entry.refs.push({ source: name, target: volumes[index]!.target });
      plan.secrets[name] = {
        file: projectPath(input, file),
        rules: [finding.rule],
        note: `${basename(file)} holds a secret: mounted as a compose secret (keep it out of git, rotate the value)`,
      };
    }
  }
}

/** An absolute path as the overlay writes it: relative to the project directory (`./x`, `../x`). */
function projectPath(input: HardenInput, file: string): string {
  const rel = relative(input.project.working_dir, file);
  if (rel === '' || isAbsolute(rel)) return file;
  return rel.startsWith('..') ? rel : `./${rel}`;
}
