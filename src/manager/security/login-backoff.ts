import { clientSource } from '../../http/index.js';

export interface BackoffPolicy {
  /** Failed logins a pair (account, client address) may make before it has to wait. */
  freeFailures: number;
  /** The longest wait, in seconds. */
  maxWaitSeconds: number;
}

interface Pair {
  failures: number;
  /** Until when the pair waits (ms since the epoch). */
  until: number;
  last: number;
}

/** Pairs remembered at once; past it the oldest is forgotten (it can only have waited less). */
const MAX_PAIRS = 100_000;

/**
 * Failed logins back off per account *and* client address (docs/security.md, "Abuse limits"):
 * after `freeFailures` failures the pair waits 1 s, then twice as long after each further
 * failure, up to `maxWaitSeconds`. An attacker guessing from one address slows only itself;
 * the right password from another address still works, so nobody can lock the admin out.
 * Unknown accounts back off the same way, so the answers do not tell which accounts exist.
 * The state is per manager process; replicas each keep their own.
 */
export class LoginBackoff {
  private readonly pairs = new Map<string, Pair>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly now: () => number,
  ) {}

  /** Milliseconds this account must wait before trying from this address; 0 when it may now. */
  waitMs(account: string, address: string): number {
    const pair = this.pairs.get(key(account, address));
    return pair ? Math.max(0, pair.until - this.now()) : 0;
  }

  /** Records a failure; returns the wait it starts (0 while failures are still free). */
  failed(account: string, address: string): number {
    const at = this.now();
    const id = key(account, address);
    const previous = this.pairs.get(id);
    // A pair that has been quiet for the longest wait starts again from nothing.
    const failures = previous && at - previous.last < this.policy.maxWaitSeconds * 1000 ? previous.failures + 1 : 1;
    const over = failures - this.policy.freeFailures;
    const wait = over < 0 ? 0 : Math.min(this.policy.maxWaitSeconds * 1000, 1000 * 2 ** Math.min(over, 30));
    this.pairs.delete(id);
    if (this.pairs.size >= MAX_PAIRS) this.pairs.delete(this.pairs.keys().next().value!);
    this.pairs.set(id, { failures, until: at + wait, last: at });
    return wait;
  }

  succeeded(account: string, address: string): void {
    this.pairs.delete(key(account, address));
  }

  /** An admin's unlock: the account starts again from nothing, from every address. */
  forget(account: string): void {
    const prefix = `${account.toLowerCase()}\n`;
    for (const id of this.pairs.keys()) if (id.startsWith(prefix)) this.pairs.delete(id);
  }
}

function key(account: string, address: string): string {
  return `${account.toLowerCase()}\n${clientSource(address)}`;
}
