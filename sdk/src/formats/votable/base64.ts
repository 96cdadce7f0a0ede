/**
 * Base64 for BINARY/BINARY2/FITS streams: an incremental decoder (chunks may split a quartet)
 * and an encoder. Uses Node's Buffer when present (much faster on 100 MB streams) and a
 * table-driven loop in browsers; input is validated either way.
 */

interface BufferLike {
  from(s: string, enc: 'base64'): Uint8Array;
  from(b: ArrayBufferLike, off: number, len: number): { toString(enc: 'base64'): string };
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

function decodePure(s: string): Uint8Array {
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const n = (s.length / 4) * 3 - pad;
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const a = LOOKUP[s.charCodeAt(i)];
    const b = LOOKUP[s.charCodeAt(i + 1)];
    const c = s[i + 2] === '=' ? 0 : LOOKUP[s.charCodeAt(i + 2)];
    const d = s[i + 3] === '=' ? 0 : LOOKUP[s.charCodeAt(i + 3)];
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    if (o < n) out[o++] = v >> 16;
    if (o < n) out[o++] = (v >> 8) & 255;
    if (o < n) out[o++] = v & 255;
  }
  return out;
}

const INVALID = /[^A-Za-z0-9+/=]/;
const WS = /[\s]+/g;

export class Base64Decoder {
  private carry = '';
  private ended = false;

  /** Decode a piece of text; returns the bytes of all complete quartets. Throws on invalid input. */
  push(text: string): Uint8Array {
    let s = this.carry + text.replace(WS, '');
    if (s.length === 0) return new Uint8Array(0);
    if (INVALID.test(s)) throw new Error('invalid character in base64 stream');
    const eq = s.indexOf('=');
    if (this.ended || (eq >= 0 && eq < s.length - 2)) {
      if (this.ended || /=[^=]/.test(s.slice(eq))) throw new Error('data after base64 padding');
    }
    const whole = s.length - (s.length % 4);
    this.carry = s.slice(whole);
    s = s.slice(0, whole);
    if (eq >= 0 && eq < whole) this.ended = true;
    return NodeBuffer ? NodeBuffer.from(s, 'base64') : decodePure(s);
  }

  /** Call at the end of the stream; throws when a partial quartet is left. */
  end(): void {
    if (this.carry.length !== 0) throw new Error(`base64 stream ends with ${this.carry.length} stray character(s)`);
  }
}

export function encodeBase64(b: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  let out = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + ALPHABET[(v >> 6) & 63] + ALPHABET[v & 63];
  }
  if (i < b.length) {
    const v = (b[i] << 16) | ((b[i + 1] ?? 0) << 8);
    out += ALPHABET[v >> 18] + ALPHABET[(v >> 12) & 63] + (i + 1 < b.length ? ALPHABET[(v >> 6) & 63] : '=') + '=';
  }
  return out;
}
