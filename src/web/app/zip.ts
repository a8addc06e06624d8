/**
 * Reads a ZIP the operator picked, in the browser, so that the deploy view sends the manager the
 * same JSON as for loose files (POST /analyze/preview, POST /deployments), which checks every
 * name and size again. Stored and deflated entries only; folders are skipped.
 */

export interface ZipFile {
  path: string;
  data: Uint8Array;
}

const MAX_TOTAL = 256 * 2 ** 20;

export async function readZip(buffer: ArrayBuffer): Promise<ZipFile[]> {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP file (no end of central directory)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const files: ZipFile[] = [];
  let total = 0;
  const decoder = new TextDecoder();
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw new Error('a damaged ZIP file (central directory)');
    const method = view.getUint16(at + 10, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const path = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
    if (path.endsWith('/')) continue;
    total += size;
    if (total > MAX_TOTAL) throw new Error('the ZIP unpacks to more than 256 MiB');
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`a damaged ZIP file (${path})`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(start, start + packed);
    if (method === 0) files.push({ path, data: raw.slice() });
    else if (method === 8) files.push({ path, data: await inflate(raw, size) });
    else throw new Error(`${path}: compression method ${method} is not supported (use deflate)`);
  }
  return files;
}

async function inflate(raw: Uint8Array, size: number): Promise<Uint8Array> {
  const stream = new Blob([raw as BlobPart]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  const out = new Uint8Array(await new Response(stream).arrayBuffer());
  if (out.length !== size) throw new Error('a ZIP entry is not the size it claims');
  return out;
}

export function toBase64(data: Uint8Array): string {
  let text = '';
  for (let i = 0; i < data.length; i += 0x8000) text += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(text);
}
