import { Type, type Static } from '@vocloud/sdk';

/**
 * korel.par as JSON Schema: one object per KOREL run, each the header line plus the element
 * lines in file order. The mapping to and from the text file is exact (parse → JSON → write
 * gives the same numbers), so the web form edits the same thing the Fortran program reads.
 */
export const ParLineSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('o'), Type.Literal('s'), Type.Literal('v'), Type.Literal('w'), Type.Literal('e')], {
      description:
        "o: orbital element j2 (1 P, 2 T0, 3 e, 4 ω°, 5 K1, 6 q=M2/M1, 7 dω/dt °/day, 8 dP/dt, 9 de/dt, 10 dK1/dt, 11 dq/dt) of orbit j1 (0 = stars 1–2, 1 = stars 3–4, 2 = (1,2) around (3,4), 3 = all around star 5); " +
        's: ln line strength of star j1 in exposure j2; v: radial velocity (km/s) of star j1 in exposure j2; w: weight of exposure j2; e: error-map request (accepted, not computed)',
    }),
    j1: Type.Integer({ minimum: 0, maximum: 5, description: 'orbit (o, e) or star (s, v) index' }),
    j2: Type.Integer({ minimum: 0, description: 'element number (o, e) or exposure number, from 1 (s, v, w)' }),
    k1: Type.Integer({ minimum: 0, description: 'iterations: > 0 makes the value a free parameter; the largest k1 is the number of simplex runs' }),
    le: Type.Integer({ minimum: 0, maximum: 1, description: '1: set the value from `value`' }),
    ld: Type.Integer({ minimum: 0, maximum: 1, description: '1: set the simplex step from `step`' }),
    value: Type.Number({ description: 'value (degrees for ω and dω/dt)' }),
    step: Type.Number({ description: 'initial simplex step, same unit as the value' }),
    comment: Type.Optional(Type.String({ maxLength: 200, description: 'text after the eighth field (ignored by KOREL)' })),
  },
  { additionalProperties: false },
);

export const ParRunSchema = Type.Object(
  {
    keys: Type.Array(Type.Integer({ minimum: -1, maximum: 99 }), {
      minItems: 5,
      maxItems: 5,
      description:
        'key1..key5, one per star: 0 absent, 1 present with fixed line strength, 2 line strength solved per exposure; +10: radial velocity free (given by v lines, e.g. 11 for a stationary third light)',
    }),
    k0: Type.Integer({ description: '> 0: read korel.dat (the number of spectra, KOREL caps at it); 0: keep the data of the previous run' }),
    ifil: Type.Integer({ minimum: 0, description: 'Fourier modes 1..ifil are filtered out (continuum normalisation errors live there)' }),
    kr: Type.Integer({ description: "KOREL's graphics mode (ignored: plots are always made)" }),
    kpr: Type.Integer({ minimum: 0, description: 'print mode (≥ 2: simplex steps in korel.res) + 10 × star whose rest frame korel.o-c is given in (0: observer frame)' }),
    lines: Type.Array(ParLineSchema, { maxItems: 10000 }),
  },
  { additionalProperties: false },
);

export const KorelParSchema = Type.Object(
  { runs: Type.Array(ParRunSchema, { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false, description: 'korel.par: the control file of KOREL, one entry per run' },
);

export type ParLine = Static<typeof ParLineSchema>;
export type ParRun = Static<typeof ParRunSchema>;
export type KorelPar = Static<typeof KorelParSchema>;
export type ParLineType = ParLine['type'];
