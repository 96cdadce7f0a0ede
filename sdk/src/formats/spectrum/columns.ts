/**
 * Choosing the spectral, flux and error columns of a table by what they say they are — IVOA
 * utypes (Spectrum/SSA data model), UCDs, units and names — never by position. Shared by FITS
 * tables and VOTables.
 */
import { angstromFactor, quantityOfUnit } from './units.js';
import type { SpectralQuantity } from './model.js';

/** What the chooser needs to know about a column. */
export interface ColumnInfo {
  readonly name: string;
  readonly unit?: string;
  readonly ucd?: string;
  readonly utype?: string;
}

/** How to turn stored spectral values into the axis. */
export type SpectralScale = 'linear' | 'log10' | 'ln';
/** How to turn a stored uncertainty column into 1σ. */
export type ErrorKind = 'sigma' | 'ivar' | 'variance';

export interface ColumnChoice {
  spectral: { index: number; quantity: SpectralQuantity; scale: SpectralScale; medium?: 'air' | 'vacuum' };
  flux: { index: number };
  error?: { index: number; kind: ErrorKind };
}

const lc = (s: string | undefined): string => (s ?? '').toLowerCase();

function spectralScore(c: ColumnInfo): { score: number; quantity: SpectralQuantity; scale: SpectralScale; medium?: 'air' | 'vacuum' } {
  const name = lc(c.name);
  const ucd = lc(c.ucd);
  const utype = lc(c.utype);
  const uq = quantityOfUnit(c.unit);
  let score = 0;
  let quantity: SpectralQuantity = uq ?? 'wavelength';
  let scale: SpectralScale = 'linear';
  let medium: 'air' | 'vacuum' | undefined;
  if (/spectralaxis\.value|spectral\.value|data\.spectralaxis/.test(utype)) score = 100;
  if (ucd.startsWith('em.wl')) (score = Math.max(score, 90)), (quantity = 'wavelength');
  else if (ucd.startsWith('em.freq')) (score = Math.max(score, 60)), (quantity = 'frequency');
  else if (ucd.startsWith('em.energy')) (score = Math.max(score, 50)), (quantity = 'energy');
  else if (ucd.startsWith('spect.dopplerveloc')) (score = Math.max(score, 40)), (quantity = 'velocity');
  if (/^(loglam|log_?lam|log_?wave(length)?|logwl)$/.test(name)) {
    score = Math.max(score, 85);
    quantity = 'wavelength';
    scale = 'log10';
  } else if (/^(wave(length)?|lambda|lam|wl|wavel|spectral|spec_?wave|awav|wave_?air|wave_?vac|wavelength_?(air|vac))$/.test(name)) {
    score = Math.max(score, 80);
    if (!uq) quantity = 'wavelength';
  } else if (/^(freq|frequency|nu)$/.test(name)) {
    score = Math.max(score, 50);
    if (!uq) quantity = 'frequency';
  } else if (/^(vhelio|velocity|vel|vlsr|vrad)$/.test(name)) {
    score = Math.max(score, 30);
    if (!uq) quantity = 'velocity';
  }
  if (/air/.test(name) || /air/.test(ucd)) medium = 'air';
  else if (/vac/.test(name)) medium = 'vacuum';
  if (score > 0 && angstromFactor(c.unit) !== undefined) score += 20;
  return medium ? { score, quantity, scale, medium } : { score, quantity, scale };
}

function isErrorLike(c: ColumnInfo): ErrorKind | undefined {
  const name = lc(c.name);
  const ucd = lc(c.ucd);
  const utype = lc(c.utype);
  if (/fluxaxis\.accuracy\.(staterror|starerr|staterr)/.test(utype)) return 'sigma';
  if (ucd.startsWith('stat.error') && /phot\./.test(ucd)) return 'sigma';
  if (/^(ivar|inv_?var|inverse_?variance|invvar)$/.test(name)) return 'ivar';
  if (/^(var|variance|flux_?var)$/.test(name)) return 'variance';
  if (/^(err|error|errors|sigma|sig|staterror|stat_?err|flux_?err(or)?|e_?flux|uncertainty|unc|noise|fluxerr|flux_?sigma)$/.test(name)) {
    return 'sigma';
  }
  return undefined;
}

function fluxScore(c: ColumnInfo): number {
  const name = lc(c.name);
  const ucd = lc(c.ucd);
  const utype = lc(c.utype);
  if (isErrorLike(c)) return 0;
  let score = 0;
  if (/fluxaxis\.value|flux\.value|data\.fluxaxis/.test(utype)) score = 100;
  if (/^phot\.(flux|fludens|count)/.test(ucd) && !ucd.includes('stat.')) score = Math.max(score, 90);
  if (/^(flux|fluxdens|flux_?density|flam|fnu|fl|counts|count|intensity|spec|specflux|flux_?(norm|cal|obs))$/.test(name)) score = Math.max(score, 80);
  else if (/flux/.test(name)) score = Math.max(score, 40);
  return score;
}

/** Pick the columns of a spectrum; undefined when no spectral axis and flux are recognisable. */
export function chooseColumns(cols: readonly ColumnInfo[]): ColumnChoice | undefined {
  let best: (ReturnType<typeof spectralScore> & { index: number }) | undefined;
  cols.forEach((c, index) => {
    const s = spectralScore(c);
    if (s.score > 0 && (!best || s.score > best.score)) best = { ...s, index };
  });
  if (!best) return undefined;
  let flux: { index: number; score: number } | undefined;
  cols.forEach((c, index) => {
    if (index === best!.index) return;
    const s = fluxScore(c);
    if (s > 0 && (!flux || s > flux.score)) flux = { index, score: s };
  });
  if (!flux) return undefined;
  let error: { index: number; kind: ErrorKind } | undefined;
  // Prefer an error column that names the flux column or sits next to it.
  cols.forEach((c, index) => {
    if (index === best!.index || index === flux!.index) return;
    const kind = isErrorLike(c);
    if (kind && (!error || Math.abs(index - flux!.index) < Math.abs(error.index - flux!.index))) error = { index, kind };
  });
  const { index, quantity, scale, medium } = best;
  return {
    spectral: medium ? { index, quantity, scale, medium } : { index, quantity, scale },
    flux: { index: flux.index },
    ...(error ? { error } : {}),
  };
}
