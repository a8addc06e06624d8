import type { ContainerChange } from '../../docker/index.js';

/** Paths the engine manages or that are not files: never a tmpfs of harden's. */
const IGNORED = /^\/(proc|sys|dev)(\/|$)|^\/etc\/(hosts|hostname|resolv\.conf)$|^\/\.dockerenv$/;

/**
 * The directories to give a tmpfs so that a read-only service can still write what `docker diff`
 * saw it write: each top-most folder it made, and the folder of each file it added, changed or
 * deleted elsewhere.
 * Paths already under a volume or tmpfs are left out, as are folders inside another target.
 */
export function tmpfsTargets(changes: readonly ContainerChange[], mounted: readonly string[]): string[] {
  const paths = changes.map((c) => c.Path);
  const added = new Set(changes.filter((c) => c.Kind === 1).map((c) => c.Path));
  const isParentOfAnother = (p: string) => paths.some((q) => q !== p && q.startsWith(`${p}/`));
  const targets = new Set<string>();
  for (const c of changes) {
    const p = c.Path;
    if (IGNORED.test(p) || under(p, mounted)) continue;
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (c.Kind === 1) {
      // Only the top-most added path counts: what is below it was added with it. A folder the
      // service made is the tmpfs itself (the engine makes the mount point); a file, its folder.
      if (added.has(parent)) continue;
      targets.add(parent === '/' || isParentOfAnother(p) ? p : parent);
    } else if (parent !== '/' && (!isParentOfAnother(p) || c.Kind === 2)) {
      // A changed or deleted file; a top-level entry reported changed is a folder (/etc, /run).
      targets.add(parent);
    }
  }
  const list = [...targets].filter((t) => !under(t, mounted)).sort();
  return list.filter((t) => !list.some((o) => o !== t && t.startsWith(`${o}/`)));
}

function under(path: string, mounts: readonly string[]): boolean {
  return mounts.some((m) => path === m || path.startsWith(`${m.replace(/\/$/, '')}/`));
}
