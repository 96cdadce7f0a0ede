import type { VoValue } from '@vocloud/sdk/formats';

/** A VOTable cell as JSON: typed arrays become arrays, bigints strings, NaN null. */
export function jsonValue(v: VoValue): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v)) {
    return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => (typeof x === 'bigint' ? x.toString() : Number.isFinite(x) ? x : null));
  }
  return v;
}

/** A cell as a trimmed string ('' for null). */
export function textValue(v: VoValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return '';
}

/** A cell as a non-negative integer, or undefined. */
export function sizeValue(v: VoValue | undefined): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
