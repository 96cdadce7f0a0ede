// Spectrum files as input, written by astropy (a real FITS/VOTable writer), read through the
// sdk's readers: an archive of 1-D FITS images and VOTables, labels by file name, common grid.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { somWorker } from '@vocloud/plugin-som';
import { runWorkerForTest } from '@vocloud/sdk/testing';
import { needPeer, peers } from '../../../tests/support/peers.js';

const plugin = somWorker();

// 12 spectra of three shapes; FITS ones on 6500 + 0.5 i Å (120 points), VOTables on a finer,
// longer grid (6490 + 0.25 i, 300 points): the same range only after resampling.
const WRITE = `
import sys, numpy as np
from astropy.io import fits
from astropy.table import Table
out = sys.argv[1]
rng = np.random.default_rng(3)
for i in range(12):
    c = i % 3
    fine = i >= 9
    wl = 6490 + 0.25 * np.arange(300) if fine else 6500 + 0.5 * np.arange(120)
    g = lambda mu: np.exp(-0.5 * ((wl - mu) / 3.0) ** 2)
    f = 1 - 0.5 * g(6530) if c == 0 else (1 + g(6530) if c == 1 else 1 + 0.8 * g(6522) + 0.8 * g(6538))
    f = (f + 0.005 * rng.standard_normal(wl.size)).astype('f4')
    name = f'spec{i:02d}'
    if fine:
        Table({'WAVELENGTH': wl, 'FLUX': f}).write(f'{out}/{name}.vot', format='votable')
    else:
        h = fits.PrimaryHDU(f)
        h.header.update(CRVAL1=6500.0, CDELT1=0.5, CRPIX1=1.0, CTYPE1='WAVE', CUNIT1='Angstrom', OBJECT=name)
        h.writeto(f'{out}/{name}.fits')
`;

describe.skipIf(!needPeer(peers.astropy(), 'SOM on FITS/VOTable spectra'))('spectra files as input', () => {
  let zip: Uint8Array;
  let fitsOnly: Uint8Array;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'vocloud-som-spectra-'));
    const r = spawnSync('/usr/bin/python3', ['-c', WRITE, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    const files = Object.fromEntries(readdirSync(dir).map((f) => [`spectra/${f}`, new Uint8Array(readFileSync(join(dir, f)))]));
    zip = zipSync(files);
    fitsOnly = zipSync(Object.fromEntries(Object.entries(files).filter(([n]) => n.endsWith('.fits'))));
    rmSync(dir, { recursive: true, force: true });
  });

  const labels = JSON.stringify(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`spec${String(i).padStart(2, '0')}`, ['dip', 'peak', 'double'][i % 3]])));

  it('refuses spectra on different grids without gridPoints, naming two of them', async () => {
    const out = await runWorkerForTest(plugin, { rows: 2, cols: 2, epochs: 2 }, { files: { data: { content: zip, name: 'spectra.zip' } } });
    expect(out.phase).toBe('ERROR');
    expect(out.error).toMatch(/differ in their wavelength grids \(spectra\/spec00\.fits: 120 points, spectra\/spec09\.vot: 300 points\).*gridPoints/);
  });

  it('resamples FITS and VOTable spectra onto a common grid and maps the shapes apart', async () => {
    const out = await runWorkerForTest(plugin, { rows: 3, cols: 3, epochs: 8, gridPoints: 100, wavelengthMin: 6505, wavelengthMax: 6555, normalise: 'max' },
      { files: { data: { content: zip, name: 'spectra.zip' }, labels: { content: labels, name: 'labels.json' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    const meta = JSON.parse(readFileSync(out.results.find((r) => r.name === 'codebook.json')!.path, 'utf8'));
    expect(meta).toMatchObject({ d: 100, wavelength_start: 6505 });
    const rows = readFileSync(out.results.find((r) => r.name === 'bmu.csv')!.path, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(12);
    expect(rows[9]![1]).toBe('spectra/spec09.vot');
    expect(rows[9]![2]).toBe('dip');
    const unitOf = new Map<string, Set<string>>();
    for (const r of rows) unitOf.set(r[2]!, (unitOf.get(r[2]!) ?? new Set()).add(r[3]!));
    // no neuron is shared by two shapes
    const all = [...unitOf.values()].flatMap((s) => [...s]);
    expect(new Set(all).size).toBe(all.length);
  });

  it('trains on FITS spectra that share a grid as they are', async () => {
    const out = await runWorkerForTest(plugin, { rows: 2, cols: 2, epochs: 3 }, { files: { data: { content: fitsOnly, name: 'fits.zip' } } });
    expect(out.phase, out.error).toBe('COMPLETED');
    expect(JSON.parse(readFileSync(out.results.find((r) => r.name === 'codebook.json')!.path, 'utf8'))).toMatchObject({ d: 120, wavelength_start: 6500, wavelength_step: 0.5 });
  });
});
