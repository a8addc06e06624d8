import { keyChecker } from './auth.js';

/**
 * The server key this agent accepts, which can change while it runs: an enrolled agent takes a
 * rotated key from the manager, and stops accepting any key when the manager says its host was
 * deleted (docs/agent.md, "Enrollment").
 */
export class KeyHolder {
  private matcher: (presented: string | undefined) => boolean;

  constructor(private key: string | null) {
    this.matcher = key === null ? () => false : keyChecker(key);
  }

  matches(presented: string | undefined): boolean {
    return this.matcher(presented);
  }

  get current(): string | null {
    return this.key;
  }

  get revoked(): boolean {
    return this.key === null;
  }

  replace(key: string): void {
    this.key = key;
    this.matcher = keyChecker(key);
  }

  revoke(): void {
    this.key = null;
    this.matcher = () => false;
  }
}
