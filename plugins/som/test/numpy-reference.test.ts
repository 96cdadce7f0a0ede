// The batch SOM against the numpy/OpenBLAS reference of ../shared/bench/som: same data, same
// PCA initialisation, same radius schedule. Float32 BMU ties can flip between BLAS builds, so
// the agreement is stated as tolerances (the reference README: QE within 0.3 %, TE ±0.004):
//   final QE within 0.3 %, TE within 0.006, per-epoch QE within 0.3 %,
//   codebook relative RMS difference < 1e-2, and our PCA init equal to numpy's within 1e-5 relative.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { rmSync } from 'node:fs';
import { trainSom } from '@vocloud/plugin-som/kernel';
import { needPeer, peers } from '../../../tests/support/peers.js';
import { generate, numpyInit, numpyReference, referenceAvailable, relativeRms, type Workload, type NumpyRun } from './support.js';

const ROWS = 12, COLS = 10, EPOCHS = 5;

describe.skipIf(!needPeer(peers.numpy(), 'SOM agrees with the numpy reference') || !referenceAvailable())('SOM against the numpy reference', () => {
  let w: Workload;
  let ref: NumpyRun;
  let init: Float32Array;
  beforeAll(() => {
    w = generate(1200, 300);
    ref = numpyReference(w, ROWS, COLS, EPOCHS);
    init = numpyInit(w, ROWS, COLS);
  });
  afterAll(() => rmSync(w.dir, { recursive: true, force: true }));

  it('computes the same PCA initial codebook as numpy', async () => {
    const r = await trainSom(w.x, w.n, w.d, { rows: ROWS, cols: COLS, epochs: 0, init: 'pca' });
    expect(relativeRms(r.initialWeights, init)).toBeLessThan(1e-5);
  });

  it('trains to the same codebook, QE and TE from the same init and schedule', async () => {
    const r = await trainSom(w.x, w.n, w.d, { rows: ROWS, cols: COLS, epochs: EPOCHS, init });
    expect(Math.abs(r.qe - ref.summary.final_qe) / ref.summary.final_qe).toBeLessThan(0.003);
    expect(Math.abs(r.te - ref.summary.final_te)).toBeLessThanOrEqual(0.006);
    r.history.forEach((e, i) => expect(Math.abs(e.qe - ref.summary.qe_pre_update[i]!) / ref.summary.qe_pre_update[i]!).toBeLessThan(0.003));
    expect(relativeRms(r.weights, ref.weights)).toBeLessThan(1e-2);
  });

  for (const [backend, label] of [['wasm', 'wasm-simd128'], ['js', 'js']] as const) {
    it(`gives the same result on the ${label} fallback kernel`, async () => {
      const r = await trainSom(w.x, w.n, w.d, { rows: ROWS, cols: COLS, epochs: EPOCHS, init, backend });
      expect(r.backend).toBe(label);
      expect(Math.abs(r.qe - ref.summary.final_qe) / ref.summary.final_qe).toBeLessThan(0.003);
      expect(relativeRms(r.weights, ref.weights)).toBeLessThan(1e-2);
    });
  }
});
