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

/**
 * Bytes per unit of a size column: SSA's Access.Size is in bytes, ObsCore's access_estsize in
 * kbyte. Undefined for a unit that is not a size in bytes (the column's values are then not
 * trusted as sizes).
 */
export function bytesPerUnit(unit: string | undefined): number | undefined {
  const u = (unit ?? '').trim();
  if (u === '' || /^(byte|bytes|B)$/i.test(u)) return 1;
  const m = /^([kKMG]i?)(bytes?|B)$/.exec(u);
  if (!m) return undefined;
  const prefix = m[1]!.toLowerCase();
  const base = prefix.endsWith('i') ? 1024 : 1000;
  return base ** ({ k: 1, m: 2, g: 3 } as Record<string, number>)[prefix[0]!]!;
}
