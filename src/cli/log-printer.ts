const COLORS = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94'];

/**
 * Prints `web-1  | line`, prefixes padded to the longest one, each prefix in its own colour on
 * a terminal, as compose does.
 */
export function logPrinter(
  out: { write(text: string): unknown },
  knownPrefixes: readonly string[],
  color: boolean,
): (entry: { prefix: string; line: string }) => void {
  let width = Math.max(0, ...knownPrefixes.map((p) => p.length));
  const colors = new Map<string, string>();
  return ({ prefix, line }) => {
    width = Math.max(width, prefix.length);
    let code = colors.get(prefix);
    if (code === undefined) {
      code = COLORS[colors.size % COLORS.length]!;
      colors.set(prefix, code);
    }
    const head = `${prefix.padEnd(width)}  |`;
    out.write(`${color ? `\x1b[${code}m${head}\x1b[0m` : head} ${line}\n`);
  };
}
