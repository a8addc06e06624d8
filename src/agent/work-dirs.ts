import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The layout of WORK_DIR. */
export interface WorkDirs {
  root: string;
  /** `stacks/<name>/`: a stack's files; its compose project directory. */
  stacks: string;
  /** `state/<name>.json`: what the agent knows about each stack. */
  state: string;
  /** `uploads/<id>/`: unpacked packages waiting for a deploy. */
  uploads: string;
  /** Archives being received and other scratch; emptied at start. */
  tmp: string;
}

export function workDirs(root: string): WorkDirs {
  return { root, stacks: join(root, 'stacks'), state: join(root, 'state'), uploads: join(root, 'uploads'), tmp: join(root, 'tmp') };
}

/**
 * Creates the folders, owner-only: stacks hold their `.env` files and machine-lab's VPN
 * profiles. Scratch left by an agent that stopped mid-request is removed.
 */
export async function prepareWorkDirs(dirs: WorkDirs): Promise<void> {
  // An existing WORK_DIR keeps its permissions: it may be a folder the operator shares on purpose.
  await mkdir(dirs.root, { recursive: true, mode: 0o700 });
  for (const dir of [dirs.stacks, dirs.state, dirs.uploads, dirs.tmp]) await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const name of await readdir(dirs.tmp)) await rm(join(dirs.tmp, name), { recursive: true, force: true });
}
