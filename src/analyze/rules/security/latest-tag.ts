import { createRule } from '../create-rule.js';
import { parseImage, services } from '../util.js';
import type { RawFinding } from '../../types.js';
import { repositoryOf } from '../../facts/index.js';

/** Operating-system images whose release code names are versions (`debian:bookworm` is Debian 12). */
const RELEASE_NAMES: Record<string, readonly string[]> = {
  debian: ['jessie', 'stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky'],
  ubuntu: ['xenial', 'bionic', 'focal', 'jammy', 'noble', 'oracular', 'plucky', 'questing'],
};

/**
 * Why a tag floats, or undefined when it names a version. A tag without a single digit (`latest`,
 * `stable`, `lts`, `alpine`, `mainline-alpine`, `prod`) names no version, so it moves whenever
 * upstream publishes; `1.27-alpine`, `16` or `v2` pin a version line.
 */
function floating(repository: string, tag: string): string | undefined {
  const words = tag.toLowerCase().split(/[-_.]/);
  if (words.includes('latest')) return `"${tag}" is the moving latest tag`;
  if (/\d/.test(tag)) return undefined;
  const releases = RELEASE_NAMES[repository];
  if (releases && words[0] !== undefined && releases.includes(words[0])) return undefined;
  return `"${tag}" names no version and moves whenever upstream publishes`;
}

/** Release channels: words that say which line of releases a tag follows, not which variant. */
const CHANNELS = new Set(
  'latest stable lts edge nightly mainline current rolling main master dev develop beta alpha canary next preview testing unstable release snapshot prod production staging'.split(' '),
);

/** `stable-alpine` → `<version>-alpine`: keep the variant the user chose, replace the channel. */
function suggestedTag(tag: string): string {
  const variant = tag.split(/[-_]/).filter((w) => !CHANNELS.has(w.toLowerCase()));
  return ['<version>', ...variant].join('-');
}

export default createRule({
  id: 'latest-tag',
  severity: 'medium',
  category: 'security',
  docs: {
    summary: 'A service\'s image has no tag, `latest`, or another floating tag (`stable`, `lts`, `alpine`, `edge`…); digests pass.',
    why:
      'A floating tag points at a different image whenever upstream publishes: two hosts, or the same host ' +
      'after a re-pull, run different software without any change in the files. Upgrades happen unreviewed ' +
      '(a new major version of a database can refuse the existing data), rollbacks are impossible, and a ' +
      'compromised upstream tag is pulled automatically. Services that build their image (`build:` with ' +
      '`image:`) are not reported: the tag names the local build.',
    fix:
      'Pin a version tag (`nginx:1.27.3-alpine`), or for full reproducibility a digest ' +
      '(`nginx:1.27.3-alpine@sha256:…`), and update it deliberately (Renovate and Dependabot can do that).',
    example: 'services:\n  web:\n    image: nginx\n  db:\n    image: postgres:latest\n',
  },
  check: (ctx) => {
    const findings: RawFinding[] = [];
    for (const [name, service] of services(ctx)) {
      if (service.build || typeof service.image !== 'string') continue;
      const image = service.image.trim();
      if (image === '') continue;
      const ref = parseImage(image);
      if (ref.digest) continue;
      const repository = repositoryOf(image);
      if (ref.tag === undefined) {
        findings.push({
          path: ['services', name, 'image'],
          message: `service "${name}" uses image "${image}" without a tag: it pulls "latest", whatever that is on the day`,
          fix: `pin a version: "${image}:<version>", or a digest "${image}@sha256:…"`,
        });
        continue;
      }
      // `app:` is an interpolation that came out empty: unset-variable reports it.
      if (ref.tag === '') continue;
      const why = floating(repository, ref.tag);
      if (!why) continue;
      findings.push({
        path: ['services', name, 'image'],
        message: `service "${name}" uses image "${image}" with a floating tag: ${why}`,
        fix: `pin a version tag instead of "${ref.tag}" (e.g. "${ref.repository}:${suggestedTag(ref.tag)}"), or a digest`,
      });
    }
    return findings;
  },
});
