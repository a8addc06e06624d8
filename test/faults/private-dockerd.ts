import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, readdirSync, rmSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createDockerClient, type DockerClient } from '../../src/docker/index.js';

/**
 * A Docker engine of the test's own, so that restarting it disturbs nobody: its own data, exec and
 * pid paths, its own socket, its own containerd namespaces, a bridge of its own, an address pool
 * no other engine here uses, and no iptables (stacks on it use `network_mode: none`). Never
 * `--bridge=none`: a dockerd started so deletes the host's `docker0`, which the shared engine
 * needs. `destroy()` stops it and removes all it left, mounts and bridge included, also after a
 * failed test.
 */
export class PrivateDockerd {
  readonly dir = mkdtempSync('/tmp/ssd-');
  readonly socket = join(this.dir, 'd.sock');
  readonly host = `unix://${this.socket}`;
  readonly docker: DockerClient = createDockerClient({ host: this.host });
  private readonly namespace = `ssd${randomBytes(4).toString('hex')}`;
  private readonly bridge = `ssb${randomBytes(4).toString('hex')}`;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  async start(timeoutMs = 60_000): Promise<void> {
    if (!this.hasBridge()) {
      execFileSync('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
      execFileSync('ip', ['addr', 'add', `10.255.${randomBytes(1)[0]}.1/30`, 'dev', this.bridge]);
      execFileSync('ip', ['link', 'set', this.bridge, 'up']);
    }
    // A dockerd that finds the default bridge network of its previous run deletes it again, and
    // with it the host's `docker0` (seen with 20.10): each start begins without network state.
    // Its stacks use `network_mode: none`, so nothing of theirs is lost.
    rmSync(join(this.dir, 'data', 'network', 'files', 'local-kv.db'), { force: true });
    const log = openSync(join(this.dir, 'dockerd.log'), 'a');
    const child = spawn(
      'dockerd',
      [
        '--data-root', join(this.dir, 'data'),
        '--exec-root', join(this.dir, 'exec'),
        '--pidfile', join(this.dir, 'dockerd.pid'),
        '-H', this.host,
        `--bridge=${this.bridge}`,
        '--iptables=false',
        '--ip6tables=false',
        '--default-address-pool', 'base=10.254.0.0/16,size=24',
        '--containerd-namespace', this.namespace,
        '--containerd-plugins-namespace', `${this.namespace}p`,
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    const began = Date.now();
    while (Date.now() - began < timeoutMs) {
      if (await this.answers()) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`the private dockerd did not answer on ${this.host}:\n${this.log().slice(-2_000)}`);
  }

  async answers(): Promise<boolean> {
    try {
      await this.docker.ping({ timeoutMs: 1_000 });
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM, as `systemctl stop docker` does: the engine stops its containers, then exits. */
  async stop(timeoutMs = 60_000): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  log(): string {
    try {
      return readFileSync(join(this.dir, 'dockerd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** Removes its containers, stops it, ends what it left running, unmounts and deletes its folder. */
  async destroy(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      try {
        for (const c of await this.docker.containers.list({ all: true })) await this.docker.containers.remove(c.Id, { force: true, volumes: true }).catch(() => undefined);
      } catch {
        // The engine is not answering; stopping it below is all there is to do.
      }
    }
    await this.stop(30_000);
    // Shims of this engine's containerd namespace outlive it when something went wrong.
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmdline.includes(`\0${this.namespace}\0`) || cmdline.includes(join(this.dir, 'exec'))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
    }
    const mounts = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((point) => point.startsWith(`${this.dir}/`))
      .reverse();
    for (const point of mounts) {
      try {
        execFileSync('umount', ['-l', point], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (this.hasBridge()) execFileSync('ip', ['link', 'del', this.bridge], { stdio: 'ignore' });
  }

  private hasBridge(): boolean {
    try {
      execFileSync('ip', ['link', 'show', this.bridge], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }
}
