import { JobError } from '@vocloud/sdk';
import { ItemError } from '../common/errors.js';
import type { ServiceDescriptor } from './descriptors.js';

/** Cutout parameters in SODA syntax, as the user gave them (checked by `parseCutout`). */
export interface CutoutRequest {
  /** Spectral interval in metres: "lo hi" (SODA BAND). */
  readonly band?: string | undefined;
  /** "ra dec radius" in degrees (SODA CIRCLE). */
  readonly circle?: string | undefined;
  /** SODA POS: "CIRCLE ra dec r", "RANGE ra1 ra2 dec1 dec2" or "POLYGON ra1 dec1 ra2 dec2 ra3 dec3 …". */
  readonly pos?: string | undefined;
  /** Time interval as MJD: "t1 t2" (SODA TIME). */
  readonly time?: string | undefined;
  /** Other parameters the descriptor declares (FORMAT, FLUXCALIB…). */
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

const NUM = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf(?:inity)?|NaN`;
const numbers = (s: string): number[] | null => {
  const parts = s.trim().split(/\s+/);
  if (parts.some((p) => !new RegExp(`^(?:${NUM})$`).test(p))) return null;
  return parts.map((p) => (/inf/i.test(p) ? (p.startsWith('-') ? -Infinity : Infinity) : Number(p)));
};

function interval(name: string, v: string): string {
  const n = numbers(v);
  if (!n || n.length !== 2 || n.some(Number.isNaN)) throw new JobError(`${name}: give two numbers separated by a space (SODA interval syntax, e.g. "4.5e-7 5.5e-7"), not '${v.slice(0, 80)}'`);
  if (n[0]! > n[1]!) throw new JobError(`${name}: the lower bound ${n[0]} is above the upper bound ${n[1]}`);
  return n.map(formatNumber).join(' ');
}

function formatNumber(x: number): string {
  return x === Infinity ? '+Inf' : x === -Infinity ? '-Inf' : String(x);
}

function circle(name: string, v: string): string {
  const n = numbers(v);
  if (!n || n.length !== 3 || n.some((x) => !Number.isFinite(x))) throw new JobError(`${name}: give "ra dec radius" in degrees, not '${v.slice(0, 80)}'`);
  const [ra, dec, r] = n as [number, number, number];
  if (ra < 0 || ra > 360 || dec < -90 || dec > 90 || r <= 0 || r > 180) throw new JobError(`${name}: ra must be in [0, 360], dec in [-90, 90] and the radius in (0, 180] degrees`);
  return n.map(formatNumber).join(' ');
}

function pos(v: string): string {
  const m = /^\s*(CIRCLE|RANGE|POLYGON)\s+(.*)$/i.exec(v);
  if (!m) throw new JobError(`cutoutPos: start with CIRCLE, RANGE or POLYGON (SODA POS syntax), not '${v.slice(0, 80)}'`);
  const shape = m[1]!.toUpperCase();
  const n = numbers(m[2]!);
  const ok = n && (shape === 'CIRCLE' ? n.length === 3 : shape === 'RANGE' ? n.length === 4 : n.length >= 6 && n.length % 2 === 0);
  if (!ok) throw new JobError(`cutoutPos: ${shape} takes ${shape === 'CIRCLE' ? '3 numbers (ra dec radius)' : shape === 'RANGE' ? '4 numbers (ra1 ra2 dec1 dec2)' : 'at least 3 vertices (ra dec pairs)'}`);
  return `${shape} ${n!.map(formatNumber).join(' ')}`;
}

/** Check and normalise the user's cutout parameters; null when none were given. */
export function parseCutout(req: CutoutRequest): Map<string, string> | null {
  const out = new Map<string, string>();
  if (req.band) out.set('BAND', interval('cutoutBand', req.band));
  if (req.circle) out.set('CIRCLE', circle('cutoutCircle', req.circle));
  if (req.pos) out.set('POS', pos(req.pos));
  if (req.time) out.set('TIME', interval('cutoutTime', req.time));
  for (const [k, v] of Object.entries(req.extra ?? {})) {
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(k)) throw new JobError(`cutoutParams: '${k.slice(0, 40)}' is not a parameter name`);
    if (['ID', 'BAND', 'CIRCLE', 'POS', 'TIME'].includes(k.toUpperCase())) throw new JobError(`cutoutParams: give ${k.toUpperCase()} with its own parameter`);
    out.set(k, String(v));
  }
  return out.size > 0 ? out : null;
}

/**
 * The URL of a SODA cutout for one dataset: the descriptor's access URL with the parameters
 * whose values come from the row (ID via `ref`), fixed values, and the user's choices — each
 * of which the descriptor must declare.
 */
export function sodaUrl(d: ServiceDescriptor, cell: (ref: string) => string, cutout: Map<string, string>): { url: string; params: Record<string, string> } {
  let url: URL;
  try {
    url = new URL(d.accessUrl);
  } catch {
    throw new ItemError(`the SODA service descriptor has an invalid accessURL: ${d.accessUrl.slice(0, 200)}`, false);
  }
  const params: Record<string, string> = {};
  for (const i of d.inputs) {
    if (i.ref) {
      const v = cell(i.ref);
      if (!v) throw new ItemError(`the dataset has no value in column ${i.ref} for the SODA parameter ${i.name}`, false);
      params[i.name] = v;
    } else if (i.value && !cutout.has(i.name)) {
      params[i.name] = i.value;
    }
  }
  const declared = new Map(d.inputs.map((i) => [i.name.toUpperCase(), i]));
  for (const [k, v] of cutout) {
    const decl = declared.get(k.toUpperCase());
    if (!decl) throw new ItemError(`the SODA service does not accept ${k} (it declares ${d.inputs.map((i) => i.name).join(', ') || 'nothing'})`, false);
    if (decl.options && decl.options.length > 0 && !decl.options.includes(v)) {
      throw new ItemError(`the SODA service accepts ${decl.name} = ${decl.options.join(' | ')}, not '${v}'`, false);
    }
    if (k.toUpperCase() === 'BAND' && decl.min !== undefined && decl.max !== undefined) {
      const [lo, hi] = v.split(' ').map((x) => (x === '+Inf' ? Infinity : x === '-Inf' ? -Infinity : Number(x))) as [number, number];
      if (hi < Number(decl.min) || lo > Number(decl.max)) {
        throw new ItemError(`BAND ${v} lies outside this dataset's spectral range ${decl.min} … ${decl.max} ${decl.unit ?? ''}`.trim(), false);
      }
    }
    params[decl.name] = v;
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  return { url: url.toString(), params };
}
