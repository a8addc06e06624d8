/**
 * A set of paths kept as 53-bit hashes in a growable Float64Array: 8 bytes a path, whatever its
 * length, so that an image of millions of files costs tens of MiB to remember (docs/security.md,
 * "Images and advisories"). A collision (odds ~n/2^53) can only make a lower file look replaced.
 */
export class PathSet {
  private hashes = new Float64Array(64);
  private count = 0;
  private sorted = true;

  get size(): number {
    return this.count;
  }

  add(path: string): void {
    if (this.count === this.hashes.length) {
      const grown = new Float64Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = hash53(path);
    this.sorted = false;
  }

  has(path: string): boolean {
    if (!this.sorted) {
      this.hashes = this.hashes.slice(0, this.count).sort();
      this.sorted = true;
    }
    const target = hash53(path);
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.hashes[mid]!;
      if (value === target) return true;
      if (value < target) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  /** Whether the path or one of its folders is in the set (`a/b/c`: `a/b/c`, `a/b`, `a`). */
  hasSelfOrAncestor(path: string): boolean {
    for (let end = path.length; end > 0; end = path.lastIndexOf('/', end - 1)) {
      if (this.has(path.slice(0, end))) return true;
    }
    return false;
  }
}

/** cyrb53: a fast, well-mixed 53-bit string hash (exact in a double). */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
