/** Bad input to harden (no project, unknown environment, a missing image): the user's to fix, never a stack trace. */
export class HardenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HardenError';
  }
}
