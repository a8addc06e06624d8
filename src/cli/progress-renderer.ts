import type { ProgressEvent } from '../engine/index.js';

/** Where progress goes: a terminal (redrawn in place) or anything else (one line per change). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressRenderer {
  onProgress(event: ProgressEvent): void;
  /** Draws the final state and stops redrawing. */
  done(): void;
}

const WORDS: Record<ProgressEvent['action'], [working: string, done: string]> = {
  create: ['Creating', 'Created'],
  recreate: ['Recreate', 'Recreated'],
  start: ['Starting', 'Started'],
  keep: ['Running', 'Running'],
  adopt: ['Adopting', 'Adopted'],
  'wait-healthy': ['Waiting', 'Healthy'],
  'wait-completed': ['Waiting', 'Exited'],
  stop: ['Stopping', 'Stopped'],
  remove: ['Removing', 'Removed'],
  restart: ['Restarting', 'Restarted'],
  build: ['Building', 'Built'],
  pull: ['Pulling', 'Pulled'],
  rollback: ['Rolling back', 'Rolled back'],
  orphan: ['Orphan', 'Orphan'],
  kill: ['Killing', 'Killed'],
  pause: ['Pausing', 'Paused'],
  unpause: ['Unpausing', 'Unpaused'],
};

const KIND: Record<ProgressEvent['kind'], string> = { container: 'Container', network: 'Network', volume: 'Volume', image: 'Image' };

export function statusWord(event: ProgressEvent): string {
  const [working, done] = WORDS[event.action];
  if (event.status === 'error') return 'Error';
  if (event.status === 'warning') return event.action === 'orphan' ? 'Orphan' : 'Warning';
  return event.status === 'working' ? working : done;
}

/**
 * One line per resource, as docker compose draws them: on a terminal the block is redrawn in
 * place (at most every 80 ms), elsewhere every change is printed as its own line so logs of CI
 * runs read top to bottom.
 */
export function createProgressRenderer(out: ProgressOutput, options: { title: string; color?: boolean }): ProgressRenderer {
  return out.isTTY ? new TerminalRenderer(out, options.title, options.color ?? true) : new PlainRenderer(out);
}

class PlainRenderer implements ProgressRenderer {
  constructor(private readonly out: ProgressOutput) {}

  onProgress(event: ProgressEvent): void {
    // Build output and pull layers are too chatty for a line each; their end is printed.
    if (event.status === 'working' && event.detail && (event.action === 'build' || event.action === 'pull')) return;
    const detail = event.detail && event.status !== 'working' ? `: ${event.detail}` : event.detail ? ` (${event.detail})` : '';
    this.out.write(`${KIND[event.kind]} ${event.name}  ${statusWord(event)}${detail}\n`);
  }

  done(): void {}
}

interface Line {
  event: ProgressEvent;
  startedAt: number;
  endedAt?: number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

class TerminalRenderer implements ProgressRenderer {
  private readonly lines = new Map<string, Line>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly title: string,
    private readonly color: boolean,
  ) {}

  onProgress(event: ProgressEvent): void {
    const key = `${event.kind}\0${event.name}`;
    const now = Date.now();
    const line = this.lines.get(key);
    const ended = event.status === 'working' ? undefined : now;
    if (line) {
      // A resource keeps its line and its clock from its first step to its last, as in compose.
      line.event = event;
      line.endedAt = ended;
    } else {
      this.lines.set(key, { event, startedAt: now, ...(ended ? { endedAt: ended } : {}) });
    }
    this.timer ??= setInterval(() => this.draw(), 80);
    this.timer.unref?.();
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.draw();
  }

  private draw(): void {
    if (this.lines.size === 0) return;
    this.frame++;
    const lines = [...this.lines.values()];
    const finished = lines.filter((l) => l.event.status !== 'working').length;
    const width = Math.max(...lines.map((l) => `${KIND[l.event.kind]} ${l.event.name}`.length));
    // A pseudo-terminal may report 0 columns.
    const columns = this.out.columns || 100;
    const text: string[] = [`${this.paint('1', '[+]')} ${this.title} ${finished}/${lines.length}`];
    for (const l of lines) {
      const e = l.event;
      const mark =
        e.status === 'working'
          ? this.paint('36', SPINNER[this.frame % SPINNER.length]!)
          : e.status === 'error'
            ? this.paint('31', '✘')
            : e.status === 'warning'
              ? this.paint('33', '!')
              : this.paint('32', '✔');
      const seconds = (((l.endedAt ?? Date.now()) - l.startedAt) / 1000).toFixed(1);
      const detail = e.detail ? ` ${e.detail.split('\n')[0]}` : '';
      const body = `${`${KIND[e.kind]} ${e.name}`.padEnd(width)}  ${statusWord(e)}${detail}`;
      const room = Math.max(10, columns - 12);
      const clipped = body.length > room ? `${body.slice(0, room - 1)}…` : body;
      text.push(` ${mark} ${clipped}${' '.repeat(Math.max(1, room - clipped.length))}${seconds}s`);
    }
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.out.write(`${up}${text.map((t) => `\x1b[2K${t}`).join('\n')}\n`);
    this.drawn = text.length;
  }

  private paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}
