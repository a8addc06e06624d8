/** Thrown for a value the Engine API cannot take; the message names the key. */
export class TranslationError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
  }
}
