import { copyOperands } from '../../dockerfile/index.js';
import { createRule } from '../create-rule.js';
import type { RawFinding } from '../../types.js';
import { at, displayPath, dockerfilesOf, quoteInstruction } from './shared.js';

const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;
const ARCHIVE = /\.(tar|tgz|tbz2?|txz|tzst|tar\.(gz|bz2|xz|zst|lz|lzma|z))$/i;

export default createRule({
  id: 'dockerfile-add',
  severity: 'medium',
  category: 'dockerfile',
  cis: ['4.9'],
  docs: {
    summary: 'A Dockerfile uses ADD to copy local files, where COPY would do.',
    why:
      'ADD does more than copy: it downloads URLs and unpacks local archives. Used for plain files it ' +
      'hides intent, and a file renamed to `.tar.gz` later is silently extracted into the image. COPY ' +
      'does only what it says.',
    fix: 'Replace ADD with COPY for local files. Keep ADD only to unpack a local archive; for downloads prefer `ADD --checksum=sha256:…` or `RUN curl` with a checksum check.',
    example: 'FROM nginx:1.27-alpine\nADD nginx.conf /etc/nginx/nginx.conf\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const use of dockerfilesOf(ctx)) {
      for (const instruction of use.parsed.instructions) {
        if (instruction.keyword !== 'ADD') continue;
        if (instruction.flags.some((f) => f.name === 'checksum' || f.name === 'keep-git-dir')) continue;
        const sources = copyOperands(instruction).slice(0, -1);
        // A source held in a variable may be a URL: it is not judged.
        if (sources.length === 0 || sources.some((s) => REMOTE.test(s) || ARCHIVE.test(s) || s.includes('$'))) continue;
        findings.push(
          at(
            use,
            instruction,
            use.services[0] ?? null,
            `${displayPath(ctx, use)}: ${quoteInstruction(instruction)} copies local files with ADD, which also fetches URLs and unpacks archives`,
            `use COPY instead: ${quoteInstruction(instruction).replace(/^ADD/, 'COPY')}`,
          ),
        );
      }
    }
    return findings;
  },
});
