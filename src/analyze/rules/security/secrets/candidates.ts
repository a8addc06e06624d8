import { basename, isAbsolute, join, relative } from 'node:path';
import type { Position, Service } from '../../../../compose/index.js';
import type { RuleContext } from '../../../types.js';
import { imageName } from '../../util.js';
import { isGitIgnored } from './gitignore.js';
import { keyWords } from './patterns.js';
import { configLineSecret } from './config-lines.js';
import { isTemplateFile } from './placeholders.js';
import { dotenvEntries, hasReference, rawScalarAt } from './raw-text.js';
import { secretsOfCommand, secretsOfValue, type SecretPart } from './values.js';
import type { WeakContext } from './weak-passwords.js';

/** Where a secret was written, in words and as a place a finding can point at. */
export interface SecretCandidate extends SecretPart {
  /** The key, directive or flag holding it (`POSTGRES_PASSWORD`, `requirepass`, `--requirepass`). */
  key: string;
  /** Who holds it, for messages: `service "db": POSTGRES_PASSWORD`, `.env: DB_PASSWORD`. */
  subject: string;
  where: 'environment' | 'build-arg' | 'command' | 'env-file' | 'config-file';
  path?: (string | number)[];
  at?: Position;
  service: string | null;
  /** The file is ignored by git, so the secret is not in the repository. */
  ignored: boolean;
  weak: WeakContext;
}

const cache = new WeakMap<RuleContext, SecretCandidate[]>();

/**
 * Every literal or defaulted secret of the environment: compose values (environment, build
 * arguments, command lines), the project's `.env` and `env_file` files, and configuration files
 * bind-mounted into services. One entry per place; `hardcoded-secret` and `default-credential`
 * each take what is theirs.
 */
export function secretCandidates(ctx: RuleContext): SecretCandidate[] {
  let found = cache.get(ctx);
  if (!found) {
    found = dedupe(ctx, [...composeSecrets(ctx), ...envFileSecrets(ctx), ...configFileSecrets(ctx)]);
    cache.set(ctx, found);
  }
  return found;
}

function dedupe(ctx: RuleContext, all: SecretCandidate[]): SecretCandidate[] {
  const seen = new Set<string>();
  return all.filter((c) => {
    const at = c.at ?? (c.path ? ctx.load.positionOf(c.path) : undefined);
    const key = `${at?.file}:${at?.line}:${at?.column}:${c.kind}:${c.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const splitFiles = new WeakMap<RuleContext, Map<string, string[] | undefined>>();

function linesOf(ctx: RuleContext, file: string): string[] | undefined {
  const files = splitFiles.get(ctx) ?? new Map<string, string[] | undefined>();
  splitFiles.set(ctx, files);
  if (!files.has(file)) files.set(file, ctx.readText(file)?.split(/\r?\n/));
  return files.get(file);
}

function isComposeFile(ctx: RuleContext, file: string): boolean {
  return ctx.project.files.includes(file) || /\.ya?ml$/i.test(file);
}

/** Names an image or service gives its own defaults: `postgres`, `grafana`, `gitea`. */
function productNames(name: string, service: Service): string[] {
  return [name, ...(typeof service.image === 'string' ? [imageName(service.image)] : [])];
}

/** Values of the keys next to a password that name its user (`POSTGRES_USER`, `DB_USERNAME`). */
function userValues(entries: Iterable<[string, string | null | undefined]>): string[] {
  const out: string[] = [];
  for (const [k, v] of entries) {
    const last = keyWords(k).at(-1);
    if (v && (last === 'user' || last === 'username' || last === 'login')) out.push(v);
  }
  return out;
}

function composeSecrets(ctx: RuleContext): SecretCandidate[] {
  const out: SecretCandidate[] = [];
  for (const [name, service] of Object.entries(ctx.project.services)) {
    const hints = productNames(name, service);
    const environment = Object.entries(service.environment ?? {});
    const args = Object.entries(service.build?.args ?? {});
    const groups = [
      { where: 'environment' as const, entries: environment, label: '' },
      { where: 'build-arg' as const, entries: args, label: 'build argument ' },
    ];
    for (const { where, entries, label } of groups) {
      const users = userValues(entries);
      for (const [key, value] of entries) {
        if (typeof value !== 'string') continue;
        const path = ['services', name, where === 'environment' ? 'environment' : 'build', ...(where === 'build-arg' ? ['args'] : []), key];
        const pos = ctx.load.positionOf(path);
        // Values from env files are read there, at their own line (see envFileSecrets).
        if (!pos || !isComposeFile(ctx, pos.file)) continue;
        const raw = writtenValue(ctx, pos, key);
        if (raw === undefined || raw === '') continue;
        for (const part of secretsOfValue(key, value, raw)) {
          out.push({
            ...part,
            key,
            subject: `service "${name}": ${label}${key}`,
            where,
            path,
            service: name,
            ignored: false,
            weak: { key, hints: [...hints, part.scheme ?? ''], users: part.user ? [...users, part.user] : users, names: hints },
          });
        }
      }
    }
    out.push(...commandSecrets(ctx, name, service, hints));
  }
  return out;
}

/**
 * The value as written at `pos`, or undefined when it is not written there: `KEY` alone or
 * `KEY:` with nothing take the value from the shell compose runs in, not from the file.
 */
function writtenValue(ctx: RuleContext, pos: Position, key: string): string | undefined {
  const lines = linesOf(ctx, pos.file);
  const raw = lines ? rawScalarAt(lines, pos.line, pos.column) : undefined;
  if (raw === undefined || raw === key) return undefined;
  return raw.startsWith(`${key}=`) ? raw.slice(key.length + 1) : raw;
}

const COMMAND_KEYS = [
  ['command', 'the command'],
  ['entrypoint', 'the entrypoint'],
  ['healthcheck', 'the healthcheck'],
] as const;

function commandSecrets(ctx: RuleContext, name: string, service: Service, hints: string[]): SecretCandidate[] {
  const out: SecretCandidate[] = [];
  for (const [key, words] of COMMAND_KEYS) {
    const items = key === 'healthcheck' ? service.healthcheck?.test : service[key];
    if (!Array.isArray(items)) continue;
    const base = key === 'healthcheck' ? ['services', name, 'healthcheck', 'test'] : ['services', name, key];
    // A string command is split into words that all point at the same string: read it once.
    const pieces: { index: number; text: string; start: number }[] = [];
    const seen = new Set<string>();
    let text = '';
    items.forEach((item, index) => {
      const pos = ctx.load.positionOf([...base, index]);
      const id = pos ? `${pos.file}:${pos.line}:${pos.column}` : `#${index}`;
      if (seen.has(id)) return;
      seen.add(id);
      const lines = pos && isComposeFile(ctx, pos.file) ? linesOf(ctx, pos.file) : undefined;
      const raw = (lines && pos ? rawScalarAt(lines, pos.line, pos.column) : undefined) ?? String(item);
      if (text) text += ' ';
      pieces.push({ index, text: raw, start: text.length });
      text += raw;
    });
    for (const part of secretsOfCommand(text)) {
      const piece = [...pieces].reverse().find((p) => p.start <= part.offset) ?? pieces[0];
      out.push({
        ...part,
        key: part.label ?? key,
        subject: `service "${name}": ${words}`,
        where: 'command',
        path: [...base, piece?.index ?? 0],
        service: name,
        ignored: false,
        weak: { key: part.label ?? key, hints: [...hints, text.slice(0, 80), part.scheme ?? ''], users: part.user ? [part.user] : [], names: hints },
      });
    }
  }
  return out;
}

/** The project's `.env` and every `env_file` of a service, each read once. */
function envFileSecrets(ctx: RuleContext): SecretCandidate[] {
  const users = new Map<string, string[]>();
  for (const [name, service] of Object.entries(ctx.project.services)) {
    (Array.isArray(service.env_file) ? service.env_file : []).forEach((ref, index) => {
      if (typeof ref?.path !== 'string' || !isProjectFile(ctx, ['services', name, 'env_file', index, 'path'], ref.path)) return;
      users.set(ref.path, [...(users.get(ref.path) ?? []), name]);
    });
  }
  const files = [join(ctx.dir, '.env'), ...users.keys()];
  const out: SecretCandidate[] = [];
  for (const file of new Set(files)) {
    const services = users.get(file) ?? [];
    const first = services[0];
    const hints = services.flatMap((n) => {
      const s = ctx.project.services[n];
      return s ? productNames(n, s) : [];
    });
    out.push(...dotenvSecrets(ctx, file, first ?? null, hints, 'env-file'));
  }
  return out;
}

function dotenvSecrets(
  ctx: RuleContext,
  file: string,
  service: string | null,
  hints: string[],
  where: 'env-file' | 'config-file',
  mountedBy?: string,
): SecretCandidate[] {
  const text = ctx.readText(file);
  if (text === undefined) return [];
  const entries = dotenvEntries(text);
  const users = userValues(entries.map((e) => [e.key, e.raw]));
  const ignored = isGitIgnored(ctx, file);
  const out: SecretCandidate[] = [];
  for (const e of entries) {
    for (const part of secretsOfValue(e.key, e.raw, e.literal ? undefined : e.raw)) {
      out.push({
        ...part,
        key: e.key,
        subject: `${fileLabel(ctx, file, mountedBy)}: ${e.key}`,
        where,
        at: { file, line: e.line, column: e.column },
        service,
        ignored,
        weak: { key: e.key, hints: [...hints, part.scheme ?? ''], users: part.user ? [...users, part.user] : users, names: hints },
      });
    }
  }
  return out;
}

function fileLabel(ctx: RuleContext, file: string, mountedBy: string | undefined): string {
  const rel = relative(ctx.dir, file);
  const shown = rel === '' || isAbsolute(rel) ? file : rel;
  return mountedBy ? `${shown} (mounted into service "${mountedBy}")` : shown;
}

/** Names of files read as configuration when bind-mounted; source code is left alone. */
const CONFIG_FILE = /\.(conf|cnf|cfg|ini|properties|toml|ya?ml|json|xml|env)$|^\.env/i;
const DOTENV_FILE = /^\.env|\.env$/i;
const MAX_FILES_PER_DIR = 50;
const MAX_FILE_SIZE = 512 * 1024;

function configFileSecrets(ctx: RuleContext): SecretCandidate[] {
  const out: SecretCandidate[] = [];
  for (const { service: name, file } of mountedConfigFiles(ctx)) {
    const hints = productNames(name, ctx.project.services[name]!);
    if (DOTENV_FILE.test(basename(file))) {
      out.push(...dotenvSecrets(ctx, file, name, hints, 'config-file', name));
    } else out.push(...configLines(ctx, file, name, hints));
  }
  return out;
}

/** A configuration file of the project bind-mounted into a service. */
export interface MountedConfig {
  service: string;
  /** Absolute path. */
  file: string;
}

/** The project's configuration files that services bind-mount (a file, or the files of a mounted folder). */
export function mountedConfigFiles(ctx: RuleContext): MountedConfig[] {
  const out: MountedConfig[] = [];
  for (const [name, service] of Object.entries(ctx.project.services)) {
    const volumes = Array.isArray(service.volumes) ? service.volumes : [];
    for (const [index, volume] of volumes.entries()) {
      if (volume?.type !== 'bind' || typeof volume.source !== 'string') continue;
      if (!isProjectFile(ctx, ['services', name, 'volumes', index, 'source'], volume.source)) continue;
      for (const file of mountedFiles(ctx, volume.source)) {
        if (!CONFIG_FILE.test(basename(file))) continue;
        // `.env.example` in a mounted folder documents the settings; the image reads it only when
        // the mount names it, or from a `templates` folder that images render (nginx).
        if (file !== volume.source && isTemplateFile(file) && !/\/templates(\/|$)/.test(volume.target)) continue;
        out.push({ service: name, file });
      }
    }
  }
  return out;
}

/**
 * Whether a path names a file of the project (`./config/redis.conf`, `../config/app.env`) rather
 * than of the host that deploys it (`/etc`, `~/.aws`): the analyzer's own machine has other host
 * files, so only paths written relative to the project are read. The text as written decides;
 * when it cannot be read back, the path must lie inside the project directory.
 */
function isProjectFile(ctx: RuleContext, modelPath: (string | number)[], file: string): boolean {
  const pos = ctx.load.positionOf(modelPath);
  const lines = pos && isComposeFile(ctx, pos.file) ? linesOf(ctx, pos.file) : undefined;
  const raw = lines && pos ? rawScalarAt(lines, pos.line, pos.column)?.trim() : undefined;
  if (raw !== undefined && raw !== '' && !hasReference(raw)) return !/^(\/|~|[A-Za-z]:[\\/])/.test(raw);
  return [ctx.dir, ctx.project.working_dir].some((root) => {
    const rel = relative(root, file);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  });
}

function mountedFiles(ctx: RuleContext, source: string): string[] {
  if (ctx.readText(source) !== undefined) return [source];
  return ctx
    .listDir(source)
    .slice(0, MAX_FILES_PER_DIR)
    .map((entry) => join(source, entry));
}

/** The secrets of a mounted configuration file, line by line. */
function configLines(ctx: RuleContext, file: string, service: string, hints: string[]): SecretCandidate[] {
  const text = ctx.readText(file);
  if (text === undefined || text.length > MAX_FILE_SIZE) return [];
  const ignored = isGitIgnored(ctx, file);
  const out: SecretCandidate[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const found = configLineSecret(line, basename(file));
    if (!found) return;
    for (const part of found.parts) {
      out.push({
        ...part,
        key: found.key,
        subject: `${fileLabel(ctx, file, service)}: ${found.key}`,
        where: 'config-file',
        at: { file, line: index + 1, column: found.column },
        service,
        ignored,
        weak: { key: found.key, hints: [...hints, basename(file), part.scheme ?? ''], users: part.user ? [part.user] : [], names: hints },
      });
    }
  });
  return out;
}
