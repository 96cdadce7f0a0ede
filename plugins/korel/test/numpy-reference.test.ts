import { beforeAll, describe, expect, it } from 'vitest';
import { needPeer, peers } from '../../../tests/support/peers.js';
import { parseKorelPar } from '../src/formats/korel-par.js';
import { runKorel, type KorelResult } from '../src/method/fit.js';
import { referenceAvailable, referenceScript, runNumpyReference, type NumpyReference } from './support/reference.js';
import { rmsDiff } from './support/synthetic.js';

const reference = {
  name: `the shared numpy disentangling reference (${referenceScript()})`,
  install: 'shared/ beside the checkout (or set VOCLOUD_SHARED)',
  available: referenceAvailable(),
};
const enabled =
  needPeer(peers.numpy(), 'KOREL against the numpy reference') &&
  needPeer(peers.scipy(), 'KOREL against the numpy reference') &&
  needPeer(reference, 'KOREL against the numpy reference');

function fitAt(ref: NumpyReference, parText: string): Promise<KorelResult> {
  const records = ref.t.map((t, i) => ({ t, lambda0: ref.lambda0, dv: ref.dv, weight: 1, values: Float64Array.from(ref.obs[i]!, (v) => v + 1) }));
  const { par, source } = parseKorelPar(parText);
  return runKorel({ dat: { records }, tmp: null, par, parSource: source, parFile: 'korel.par' });
}

describe.skipIf(!enabled)('the synthetic system of the shared numpy reference', () => {
  let ref: NumpyReference;
  let result: KorelResult;
  beforeAll(async () => {
    ref = runNumpyReference();
    result = await fitAt(ref, ref.korelPar);
  }, 120_000);

  it('recovers the true elements within the required tolerances', () => {
    const el = result.runs[0]!.state.elements;
    const got = { P: el[0]!, e: el[2]!, omega: (el[3]! * 180) / Math.PI, K1: el[4]!, K2: el[4]! / el[5]! };
    expect(result.runs[0]!.converged).toBe(true);
    expect(Math.abs(got.P - ref.true.P) / ref.true.P).toBeLessThan(1e-4);
    expect(Math.abs(got.e - ref.true.e)).toBeLessThan(0.005);
    expect(Math.abs(got.omega - ref.true.omega)).toBeLessThan(1);
    expect(Math.abs(got.K1 - ref.true.K1)).toBeLessThan(0.5);
    expect(Math.abs(got.K2 - ref.true.K2)).toBeLessThan(0.5);
  });

  it('finds the same minimum as numpy (same elements, same cost)', () => {
    const el = result.runs[0]!.state.elements;
    expect(Math.abs(el[0]! - ref.numpy.P) / ref.numpy.P).toBeLessThan(1e-6);
    expect(Math.abs(el[4]! - ref.numpy.K1)).toBeLessThan(0.01);
    expect(Math.abs(el[4]! / el[5]! - ref.numpy.K2)).toBeLessThan(0.01);
    expect(result.runs[0]!.cost).toBeCloseTo(ref.numpy.cost, 6);
  });

  it('gives component spectra within the noise of the truth, and the same spectra as numpy', () => {
    const spectra = result.runs[0]!.spectra[0]!;
    for (let c = 0; c < 2; c++) {
      expect(rmsDiff(spectra[c]!, ref.componentsTrue[c]!)).toBeLessThan(ref.noise);
      expect(rmsDiff(spectra[c]!, ref.numpy.spectra[c]!)).toBeLessThan(1e-6);
    }
  });

  it('at the true orbit gives numpy’s spectra to rounding', async () => {
    const run = (await fitAt(ref, ref.korelParAtTrue)).runs[0]!;
    expect(run.evaluations).toBe(0);
    const spectra = run.spectra[0]!;
    for (let c = 0; c < 2; c++) expect(rmsDiff(spectra[c]!, ref.numpy.spectraAtTrue[c]!)).toBeLessThan(1e-12);
  });
});
