import { configLineSecret } from './config-lines.js';
import { findToken } from './patterns.js';

export interface FileSecret {
  line: number;
  column: number;
  /** What it is: `a private key`, `password`, … */
  what: string;
  /** The secret itself: only ever passed on masked or scrubbed. */
  value: string;
}

/**
 * The secrets in a file that is not part of a compose project (a file inside an image, say):
 * well-known credential formats on any line, and with `configLines` also `key = value` lines
 * whose key names a secret, by the same detectors the analyzer uses on mounted config files.
 */
/**
 * Config-line detection backtracks over a line's whitespace: quadratic, so a hostile file of one
 * 1 MiB line would take minutes. A config line is short; longer lines are searched for token
 * formats only (docs/security.md, "Images and advisories").
 */
const MAX_CONFIG_LINE = 4096;

export function fileSecrets(text: string, fileName: string, options: { configLines: boolean }): FileSecret[] {
  const found: FileSecret[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const token = findToken(line);
    if (token) {
      found.push({ line: index + 1, column: line.indexOf(token.token) + 1, what: token.label, value: token.token });
      return;
    }
    if (!options.configLines || line.length > MAX_CONFIG_LINE) return;
    const secret = configLineSecret(line, fileName);
    const part = secret?.parts[0];
    if (secret && part) found.push({ line: index + 1, column: secret.column, what: secret.key, value: part.value });
  });
  return found;
}
