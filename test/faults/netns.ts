import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/**
 * A network namespace of the test's own, joined to the host's by a veth pair with a private /30:
 * the host end is `hostAddress`, the namespace end `nsAddress`. `partition()` takes the host end
 * down, `heal()` brings it back up. Nothing else on the machine is touched.
 */
export class NetnsPair {
  readonly name: string;
  readonly hostIf: string;
  readonly nsIf: string;
  readonly hostAddress: string;
  readonly nsAddress: string;
  private created = false;

  constructor() {
    const id = randomBytes(3).toString('hex');
    this.name = `shipshape-${id}`;
    this.hostIf = `ss${id}h`;
    this.nsIf = `ss${id}n`;
    // 10.252.0.0/16 split in /30s; the third and fourth bytes come from the random id.
    const third = parseInt(id.slice(0, 2), 16);
    const fourth = (parseInt(id.slice(2, 4), 16) & 0xfc) % 252;
    this.hostAddress = `10.252.${third}.${fourth + 1}`;
    this.nsAddress = `10.252.${third}.${fourth + 2}`;
  }

  create(): void {
    if (process.getuid?.() !== 0) throw new Error('the network-partition test needs root (ip netns add); npm test runs as root on CI');
    const taken = ip('-4', '-o', 'addr', 'show');
    if (taken.includes(` ${this.hostAddress}/`) || taken.includes(` ${this.nsAddress}/`)) throw new Error(`${this.hostAddress} is in use on this machine; run again`);
    ip('netns', 'add', this.name);
    this.created = true;
    ip('link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.nsIf);
    ip('link', 'set', this.nsIf, 'netns', this.name);
    ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.hostIf);
    ip('link', 'set', this.hostIf, 'up');
    this.inNs('ip', 'addr', 'add', `${this.nsAddress}/30`, 'dev', this.nsIf);
    this.inNs('ip', 'link', 'set', this.nsIf, 'up');
    this.inNs('ip', 'link', 'set', 'lo', 'up');
  }

  partition(): void {
    ip('link', 'set', this.hostIf, 'down');
  }

  heal(): void {
    ip('link', 'set', this.hostIf, 'up');
  }

  /** Removes the namespace and both ends of the pair; safe to call twice or after a failed create. */
  destroy(): void {
    if (!this.created) return;
    try {
      ip('link', 'del', this.hostIf);
    } catch {
      // Gone with the namespace already.
    }
    try {
      ip('netns', 'del', this.name);
    } catch {
      // Already gone.
    }
    this.created = false;
  }

  private inNs(...args: string[]): string {
    return ip('netns', 'exec', this.name, ...args);
  }
}

function ip(...args: string[]): string {
  const [first, ...rest] = args;
  // `ip netns exec NS ip …` runs `ip` again inside the namespace.
  return execFileSync('ip', [first!, ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
