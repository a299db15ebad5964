/**
 * A file name for any text: its FNV-1a 64-bit hash as 16 hex digits. Not a digest — a file named
 * this way must hold its full text and be checked against it, so a collision is only a cache miss —
 * but it needs no hashing library, so a build served from its caches never loads node:crypto.
 * @example fileKey('registry.lan/base/node:24') // '…16 hex digits…'
 */
export function fileKey(text: string): string {
  // 64-bit arithmetic in two 32-bit halves: h = (h ^ byte) * (2^40 + 0x1b3) mod 2^64.
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  for (const byte of Buffer.from(text, 'utf8')) {
    lo = (lo ^ byte) >>> 0;
    const product = lo * 0x1b3;
    const carry = Math.floor(product / 0x100000000);
    hi = (Math.imul(hi, 0x1b3) + ((lo << 8) >>> 0) + carry) >>> 0;
    lo = product >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
