import { writeFits } from '@vocloud/sdk/formats';

/**
 * Small synthetic spectra for the web tests: a linear-WCS FITS image whose flux is a
 * continuum with one absorption line that moves with `i`, so every spectrum differs.
 */
export function syntheticFlux(i: number, points: number): Float32Array {
  const flux = new Float32Array(points);
  const centre = points * (0.3 + (0.4 * ((i * 37) % 100)) / 100);
  for (let j = 0; j < points; j++) flux[j] = 1 + 0.2 * (i % 5) - 0.6 * Math.exp(-(((j - centre) / (points / 80)) ** 2)) + 0.01 * Math.sin(j * 0.3 + i);
  return flux;
}

export function spectrumFits(i: number, points = 500, start = 6400, step = 0.25, object = `star ${i}`): Uint8Array {
  return writeFits([
    {
      kind: 'image',
      data: syntheticFlux(i, points),
      header: { CRVAL1: start, CDELT1: step, CRPIX1: 1, CTYPE1: 'WAVE', CUNIT1: 'Angstrom', BUNIT: 'erg/s/cm2/A', OBJECT: object },
    },
  ]);
}
