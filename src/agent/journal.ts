import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Finding, StackSummary } from '../contract/index.js';
import { isStackName } from './names.js';

/**
 * `deploying`: written before the deploy's first engine call, so a crash at any later point leaves
 * it behind for the next start to roll back; `deployed`: the deploy finished; `removing`: a
 * removal is under way, which the next start finishes (docs/agent.md, "The journal").
 */
export type RecordState = 'deploying' | 'deployed' | 'removing';

/** What the agent keeps about a stack, in `state/<name>.json`. */
export interface StackRecord {
  name: string;
  /** Records written before the journal had states are `deployed`. */
  state?: RecordState;
  source: StackSummary['source'];
  created_at: string;
  updated_at: string;
  /** The compose project directory, relative to the stack folder ('' when it is the folder). */
  project_dir: string;
  /** Compose files, relative to the project directory. */
  files: string[];
  services: string[];
  /** Services meant to run once and exit 0 (docs/agent.md, "Heartbeats"). */
  one_shot?: string[];
  findings: Finding[];
}

export function stateOf(record: StackRecord): RecordState {
  return record.state ?? 'deployed';
}

/**
 * The stack records, each written durably: to a temporary file that is flushed to disk, then
 * renamed over the record, and the folder flushed too, so that after a power cut or kill -9 a
 * record is either the old one or the new one, never half of one or missing.
 */
export class StackJournal {
  constructor(private readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, `${name}.json`);
  }

  async read(name: string): Promise<StackRecord | undefined> {
    if (!isStackName(name)) return undefined;
    try {
      const record = JSON.parse(await readFile(this.path(name), 'utf8')) as StackRecord;
      // Its name makes paths (the stack's folder): a record that names another stack is not believed.
      if (record.name !== name) throw new Error(`the record of ${name} names ${String(record.name)}`);
      return record;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Every readable record; a record that does not parse is skipped (and left for the operator). */
  async all(): Promise<StackRecord[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map((n) => this.read(n.slice(0, -'.json'.length)).catch(() => undefined)));
    return records.filter((r): r is StackRecord => r !== undefined);
  }

  async write(record: StackRecord): Promise<void> {
    const path = this.path(record.name);
    const temporary = `${path}.tmp`;
    const file = await open(temporary, 'w', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(record, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
    await this.syncDir();
  }

  async remove(name: string): Promise<void> {
    await rm(this.path(name), { force: true });
    await this.syncDir();
  }

  /** A rename or unlink is durable once the folder that holds the name is flushed. */
  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
