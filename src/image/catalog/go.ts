import type { Readable } from 'node:stream';
import type { FoundPackage } from './model.js';

/**
 * Go's build information, which `go build` writes into every binary since Go 1.18: the toolchain
 * version and the module versions, found by its magic `\xff Go buildinf:`. The binary is read as
 * a stream with a small carry-over, so a large executable costs no memory (docs/scan.md).
 */
const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const HEADER_BYTES = 32;
const FLAG_INLINE_STRINGS = 0x2;
/** Version and module list together; a larger claim is not build information. */
const MAX_INFO_BYTES = 2 ** 20;

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head.subarray(1, 4).toString('latin1') === 'ELF';
}

/** Reads `content` to its end; the Go modules (and `stdlib`) of the binary, none if it is not Go. */
export async function readGoBinary(content: Readable): Promise<FoundPackage[]> {
  let window = Buffer.alloc(0);
  let info: Buffer | undefined;
  for await (const chunk of content as AsyncIterable<Buffer>) {
    if (info !== undefined) {
      if (info.length < MAX_INFO_BYTES) info = Buffer.concat([info, chunk.subarray(0, MAX_INFO_BYTES - info.length)]);
      continue;
    }
    window = Buffer.concat([window, chunk]);
    const at = window.indexOf(MAGIC);
    if (at >= 0) info = window.subarray(at);
    else window = window.subarray(Math.max(0, window.length - MAGIC.length + 1));
  }
  return info ? parseBuildInfo(info) : [];
}

export function parseBuildInfo(info: Buffer): FoundPackage[] {
  if (info.length < HEADER_BYTES || !info.subarray(0, MAGIC.length).equals(MAGIC)) return [];
  // Before Go 1.18 the header points into the binary's data instead: not read (docs/scan.md).
  if ((info[15]! & FLAG_INLINE_STRINGS) === 0) return [];
  const version = readString(info, HEADER_BYTES);
  if (!version) return [];
  const modules = readString(info, version.end);
  const found: FoundPackage[] = [];
  const toolchain = /^go(\d+\.\d+(?:\.\d+)?)/.exec(version.text)?.[1];
  if (toolchain) found.push({ type: 'golang', name: 'stdlib', version: `v${toolchain}`, licenses: [] });
  if (!modules) return found;
  // The module list is framed by 16-byte sentinels.
  const text = modules.text.length >= 33 ? modules.text.slice(16, -16) : modules.text;
  const deps: FoundPackage[] = [];
  for (const line of text.split('\n')) {
    const [kind, path, modVersion] = line.split('\t');
    if (!path || !modVersion || modVersion === '(devel)') continue;
    if (kind === 'mod' || kind === 'dep') deps.push({ type: 'golang', name: path, version: modVersion, licenses: [] });
    // `=>` replaces the module on the line before it.
    else if (kind === '=>' && deps.length > 0) deps[deps.length - 1] = { type: 'golang', name: path, version: modVersion, licenses: [] };
  }
  return [...found, ...deps];
}

function readString(buffer: Buffer, offset: number): { text: string; end: number } | undefined {
  let length = 0;
  let shift = 0;
  let at = offset;
  for (;;) {
    const byte = buffer[at++];
    if (byte === undefined || shift > 28) return undefined;
    length |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7;
  }
  if (length < 0 || at + length > buffer.length) return undefined;
  return { text: buffer.subarray(at, at + length).toString('utf8'), end: at + length };
}
