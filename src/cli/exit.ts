/** Exit codes shared by every command (docs/architecture.md). */
export const EXIT = {
  ok: 0,
  findings: 1,
  usage: 2,
  internal: 70,
} as const;

/** Bad input the user can fix: printed as one message, exit 2, no stack trace. */
export class UsageError extends Error {}
