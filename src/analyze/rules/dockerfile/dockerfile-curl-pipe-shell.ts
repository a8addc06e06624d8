import { pipelines, programWords, runScript, type Instruction } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, displayPath, dockerfilesOf } from './shared.js';

const DOWNLOADERS = new Set(['curl', 'wget']);
const SHELL = /^((ba|da|z|k|mk|a)?sh|fish)$/;
const INTERPRETER = /^(python[\d.]*|perl|ruby|node|php)$/;
/** `sh -c "$(curl …)"`, `bash <(wget …)`, `. <(curl …)`, `source <(…)`, `eval "$(curl …)"`. */
const SUBSTITUTED = [
  /\b((?:ba|da|z|k)?sh)\s+(?:-\S+\s+)*["']?(?:\$\(|<\()\s*(curl|wget)\b/,
  /\b(eval)\s+["']?\$\(\s*(curl|wget)\b/,
  /(?:^|[\s;&|])(\.|source)\s+<\(\s*(curl|wget)\b/,
];

/** Whether a command reading a pipe executes what it reads (`sh`, `python3 -`), not code of its own (`python3 -c …`). */
function executesInput(words: string[]): boolean {
  const [program, ...args] = words;
  const options = args.filter((w) => /^-[A-Za-z]/.test(w) || w.startsWith('--'));
  if (SHELL.test(program ?? '')) return !options.some((o) => /^-[A-Za-z]*c/.test(o));
  if (INTERPRETER.test(program ?? '')) return !options.some((o) => /^-[A-Za-z]*[ceEmp]|^--(eval|print)/.test(o));
  return false;
}

/** The downloader and interpreter of the first remote script the RUN executes, if any. */
function pipedDownload(run: Instruction): [string, string] | null {
  const script = runScript(run);
  for (const pipeline of pipelines(script)) {
    const commands = pipeline.map(programWords);
    const download = commands.findIndex((c) => DOWNLOADERS.has(c[0] ?? ''));
    const shell = commands.findIndex((c, i) => download >= 0 && i > download && executesInput(c));
    if (shell > download && download >= 0) return [commands[download]?.[0] as string, commands[shell]?.[0] as string];
  }
  for (const re of SUBSTITUTED) {
    const m = re.exec(script);
    if (m) return [m[2] as string, m[1] as string];
  }
  return null;
}

export default createRule({
  id: 'dockerfile-curl-pipe-shell',
  severity: 'high',
  category: 'dockerfile',
  docs: {
    summary: 'A RUN downloads a script and pipes it straight into a shell (`curl … | sh`).',
    why:
      'The build executes whatever the server returns at that moment, as root, with nothing to check it ' +
      'against: a compromised server, a hijacked domain or a truncated download runs arbitrary code in ' +
      'the image, and two builds can run different scripts.',
    fix:
      'Download to a file, verify it against a pinned checksum (or signature), then run it: ' +
      '`curl -fsSLo install.sh https://…/v1.2.3/install.sh && echo "<sha256>  install.sh" | sha256sum -c - && sh install.sh`; ' +
      'better, install a versioned package or copy the binary from a pinned image.',
    example: 'FROM debian:12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      for (const run of use.parsed.instructions) {
        if (run.keyword !== 'RUN') continue;
        const found = pipedDownload(run);
        if (!found) continue;
        const [downloader, shell] = found;
        findings.push(
          at(
            use,
            run,
            use.services[0] ?? null,
            `${displayPath(ctx, use)}: RUN pipes a script downloaded with ${downloader} into ${shell}, unverified`,
            'download the script to a file, check it against a pinned sha256 with sha256sum -c, then run it',
          ),
        );
      }
    }
    return findings;
  },
});
