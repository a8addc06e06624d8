import { argDeclarations, substitute, type Instruction, type ParsedDockerfile, type Stage } from './parse.js';
import { basename, isShell, pipelines, programWords, splitWords } from './shell.js';

/**
 * Questions rules ask about a parsed Dockerfile. "The image" of a stage is that stage plus the
 * earlier stages it starts from (`FROM builder`): their instructions all end up in it.
 */

/** The stage a build produces: the one named `target` (case-insensitive), else the last one. */
export function finalStage(dockerfile: ParsedDockerfile, target?: string | null): Stage | undefined {
  if (target) return dockerfile.stages.find((s) => s.name?.toLowerCase() === target.toLowerCase());
  return dockerfile.stages[dockerfile.stages.length - 1];
}

/** The stages whose instructions make up `stage`'s image, the first one first. */
export function stageChain(stage: Stage): Stage[] {
  const chain: Stage[] = [];
  for (let s: Stage | null = stage; s && !chain.includes(s); s = s.parent) chain.unshift(s);
  return chain;
}

/**
 * The stages BuildKit runs to build `stage`: its chain (`FROM <stage>`), and the stages it copies
 * or mounts from (`COPY --from=builder`, `RUN --mount=from=builder`), followed to the end, in file
 * order. Stages nothing depends on are skipped, as BuildKit does.
 */
export function buildStages(dockerfile: ParsedDockerfile, stage: Stage): Stage[] {
  const needed = new Set<Stage>();
  const visit = (s: Stage): void => {
    for (const chained of stageChain(s)) {
      if (needed.has(chained)) continue;
      needed.add(chained);
      for (const ref of stageReferences(chained)) {
        const used = stageNamed(dockerfile, ref, chained.index);
        if (used) visit(used);
      }
    }
  };
  visit(stage);
  return dockerfile.stages.filter((s) => needed.has(s));
}

/** What the stage's instructions name with `--from=` (COPY, ADD) or a mount's `from=` (RUN). */
function stageReferences(stage: Stage): string[] {
  const refs: string[] = [];
  for (const instruction of stage.instructions) {
    for (const flag of instruction.flags) {
      if (flag.value === null) continue;
      if (flag.name === 'from') refs.push(flag.value);
      if (flag.name === 'mount') {
        const from = flag.value.split(',').map((o) => /^from=(.*)$/.exec(o.trim())?.[1]).find((v) => v !== undefined);
        if (from) refs.push(from);
      }
    }
  }
  return refs;
}

/** An earlier stage by name (case-insensitive) or index; undefined for an external image. */
function stageNamed(dockerfile: ParsedDockerfile, ref: string, before: number): Stage | undefined {
  const wanted = ref.replace(/^["']|["']$/g, '').toLowerCase();
  if (/^\d+$/.test(wanted)) {
    const index = Number(wanted);
    return index < before ? dockerfile.stages[index] : undefined;
  }
  return dockerfile.stages.find((s) => s.index < before && s.name?.toLowerCase() === wanted);
}

/** The last instruction with this keyword in the stage's image (inherited ones included). */
export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  for (const s of stageChain(stage).reverse()) {
    const found = s.instructions.findLast((i) => i.keyword === keyword);
    if (found) return found;
  }
  return undefined;
}

/**
 * The user the stage's image runs as: the last USER, following `FROM <earlier stage>`; null when
 * no stage sets one (the base image's own user applies, usually root).
 */
export function effectiveUser(stage: Stage): { user: string; instruction: Instruction } | null {
  const instruction = lastInstruction(stage, 'USER');
  return instruction ? { user: instruction.args.trim(), instruction } : null;
}

/** `root`, `0`, `root:…` or `0:…`. */
export function isRootUser(user: string): boolean {
  return /^(root|0)(:.*)?$/.test(user.trim());
}

export interface BaseImage {
  /** The image reference with ARG values substituted (`scratch` for an empty base). */
  image: string;
  /** False when some `${ARG}` in it has no value (it is then only known at build time). */
  resolved: boolean;
  /** The FROM line that names it: the first stage of the chain. */
  from: Instruction;
}

/**
 * The registry image the stage's image starts from, following earlier stages, with the ARGs
 * declared before the first FROM substituted (`buildArgs`, e.g. compose `build.args`, win over
 * their defaults).
 */
export function baseImage(stage: Stage, buildArgs: Readonly<Record<string, string | null | undefined>> = {}): BaseImage {
  const root = stageChain(stage)[0] as Stage;
  const { value, resolved } = substitute(root.image, root.globalArgs, buildArgs);
  return { image: value, resolved, from: root.from };
}

/** Whether the stage's image has an enabled HEALTHCHECK (the last one wins; `NONE` disables). */
export function hasHealthcheck(stage: Stage): boolean {
  const last = lastInstruction(stage, 'HEALTHCHECK');
  return last !== undefined && last.args.trim().toUpperCase() !== 'NONE';
}

const INSTALLERS: Record<string, readonly string[]> = {
  'apt-get': ['install'],
  apt: ['install'],
  apk: ['add'],
  yum: ['install'],
  dnf: ['install'],
  microdnf: ['install'],
  pip: ['install'],
  pip3: ['install'],
};

/**
 * Whether these stages install the package `name` (apt-get, apt, apk, yum, dnf, microdnf, pip
 * install, version pins allowed: `curl=8.5.0-r0`), or COPY/ADD a file named so
 * (`COPY --from=busybox /bin/wget /usr/bin/wget`). Only explicit installs count: what the base
 * image already holds is not known here.
 */
export function installsPackage(stages: readonly Stage[], name: string): boolean {
  const wanted = name.toLowerCase();
  for (const stage of stages) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'RUN' && installedPackages(instruction).includes(wanted)) return true;
      if ((instruction.keyword === 'COPY' || instruction.keyword === 'ADD') && copyOperands(instruction).some((p) => basename(p).toLowerCase() === wanted)) {
        return true;
      }
    }
  }
  return false;
}

/** The package names a RUN installs, lower-cased, version pins removed. */
export function installedPackages(run: Instruction): string[] {
  const names: string[] = [];
  for (const command of runCommands(run)) {
    let words = programWords(command);
    if (/^python[\d.]*$/.test(words[0] ?? '') && words[1] === '-m') words = words.slice(2);
    const verbs = INSTALLERS[words[0] ?? ''];
    if (!verbs) continue;
    const verb = verbIndex(words);
    if (verb < 0 || !verbs.includes(words[verb] as string)) continue;
    for (const w of words.slice(verb + 1)) {
      if (!w.startsWith('-')) names.push(w.toLowerCase().replace(/[=<>~!@[;].*$/, ''));
    }
  }
  return names;
}

/** Options that take the next word as their value when they come before a package manager's verb. */
const VALUE_OPTIONS = new Set(['-o', '-t', '-c', '-C', '-X', '-p', '--repository', '--root', '--installroot', '--releasever', '--config']);

/**
 * Index of a command's verb, the first word after the program that is not an option or an
 * option's value (`apt-get -o X=1 -y install curl` → 4); -1 when there is none.
 */
export function verbIndex(words: readonly string[]): number {
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (VALUE_OPTIONS.has(w)) i++;
    else if (!w.startsWith('-')) return i;
  }
  return -1;
}

/** The sources and destination of a COPY or ADD (exec or shell form), flags left out. */
export function copyOperands(instruction: Instruction): string[] {
  return instruction.json ?? splitWords(instruction.args).map((w) => w.value);
}

/**
 * The shell script a RUN executes: the shell form, plus the bodies of here-documents a shell
 * reads (`RUN <<EOF`, `RUN <<EOF bash`); for the exec form, the script of `sh -c "…"`, or the
 * words themselves as one command.
 */
export function runScript(run: Instruction): string {
  if (run.json) {
    const [program, ...rest] = run.json;
    const c = rest.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w));
    if (isShell(program) && c >= 0) return rest[c + 1] ?? '';
    return run.json.map(quote).join(' ');
  }
  if (run.heredocs.length === 0) return run.args;
  const command = splitWords(run.args)
    .filter((w) => !/^\d*<</.test(w.raw))
    .map((w) => w.value);
  const program = programWords(command)[0];
  const shellReads = program === undefined || isShell(program);
  const bodies = run.heredocs.filter((h) => shellReads && !/^#!(?!.*\b(ba|da|z|k)?sh\b)/.test(h.body)).map((h) => h.body);
  const args = run.args.replace(/(^|\s)\d*<<-?(["']?)[^\s"'<>|;&]+\2(?=\s|$)/g, '$1');
  return [args, ...bodies].join('\n');
}

/** The simple commands a RUN executes, in order. */
export function runCommands(run: Instruction): string[][] {
  return pipelines(runScript(run)).flat();
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `key=value` pairs of an ENV or LABEL (`ENV a=1 b="2 3"`, or the old `ENV key value`), or
 * the declarations of an ARG (value null without a default).
 */
export function keyValues(instruction: Instruction): { key: string; value: string | null }[] {
  if (instruction.keyword === 'ARG') return argDeclarations(instruction).map((a) => ({ key: a.name, value: a.value }));
  const words = splitWords(instruction.args);
  const first = words[0];
  if (!first) return [];
  if (!first.value.includes('=')) {
    const value = instruction.args.slice(first.offset + first.raw.length).trim();
    return [{ key: first.value, value: splitWords(value).map((w) => w.value).join(' ') }];
  }
  return words.map((w) => {
    const eq = w.value.indexOf('=');
    return eq < 0 ? { key: w.value, value: null } : { key: w.value.slice(0, eq), value: w.value.slice(eq + 1) };
  });
}
