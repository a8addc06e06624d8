import { installsPackage } from '../../../dockerfile/index.js';
import { parseImage } from '../../util.js';
import type { BuiltImage } from '../shared.js';

/** The programs health checks usually run. */
export type Tool = 'sh' | 'bash' | 'curl' | 'wget';

/** What an image is known to hold; a tool left out is unknown (never reported). */
export interface ImageTools {
  /** How to name the image in a message: `gcr.io/distroless/static`, `the image built from app/Dockerfile (FROM alpine:3.20)`. */
  name: string;
  /** Built from a local Dockerfile rather than pulled. */
  built: boolean;
  has: Partial<Record<Tool, boolean>>;
}

const NOTHING: Partial<Record<Tool, boolean>> = { sh: false, bash: false, curl: false, wget: false };
/** BusyBox userland: `sh` and `wget` applets, no curl, no bash. */
const BUSYBOX: Partial<Record<Tool, boolean>> = { sh: true, bash: false, curl: false, wget: true };
/** Debian and Ubuntu base images and the `-slim` language images: a shell, neither curl nor wget. */
const DEBIAN_BARE: Partial<Record<Tool, boolean>> = { sh: true, bash: true, curl: false, wget: false };

/**
 * Official images whose variants are known well enough to say what they lack. Others (nginx,
 * php, full `node:20` or `python:3.12`, which ship curl and wget) stay unknown.
 */
const LANGUAGE_IMAGES = new Set(['node', 'python', 'golang', 'redis', 'postgres']);

/** What a registry image holds, when it is one of the well-known bare images; undefined when unknown. */
export function registryImageTools(image: string): Partial<Record<Tool, boolean>> | undefined {
  const ref = parseImage(image.trim().toLowerCase());
  const repo = ref.repository.replace(/^(docker\.io\/|index\.docker\.io\/)?(library\/)?/, '');
  const tag = ref.tag ?? 'latest';
  const name = repo.slice(repo.lastIndexOf('/') + 1);
  if (repo === 'scratch') return NOTHING;
  if (repo.includes('distroless')) return tag.startsWith('debug') || tag.includes('-debug') ? BUSYBOX : NOTHING;
  if (/^cgr\.dev\/chainguard\/(static|glibc-dynamic)$/.test(repo)) return tag.includes('-dev') ? undefined : NOTHING;
  if (repo === 'alpine' || repo === 'busybox') return BUSYBOX;
  if (repo === 'debian' || repo === 'ubuntu') return DEBIAN_BARE;
  if (LANGUAGE_IMAGES.has(name) && name === repo) {
    if (tag.includes('alpine')) return BUSYBOX;
    if (tag.includes('slim') || name === 'redis' || name === 'postgres') return DEBIAN_BARE;
  }
  return undefined;
}

/** What the service's image holds: its registry image, or the base of its Dockerfile plus what the Dockerfile installs. */
export function imageTools(image: string | undefined, built: BuiltImage | undefined): ImageTools | undefined {
  if (built) {
    const known = built.base.resolved ? registryImageTools(built.base.image) : undefined;
    const has: Partial<Record<Tool, boolean>> = { ...(known ?? {}) };
    for (const tool of ['bash', 'curl', 'wget'] as const) if (installsPackage(built.chain, tool)) has[tool] = true;
    if (installsPackage(built.chain, 'busybox')) Object.assign(has, { sh: true, wget: true });
    if (has.bash) has.sh = true;
    return { name: `the image built from ${built.label} (FROM ${built.base.image})`, built: true, has };
  }
  if (typeof image !== 'string') return undefined;
  const known = registryImageTools(image);
  return known ? { name: image, built: false, has: known } : undefined;
}
