# Runs the shared numpy disentangling reference (path in argv[1]) unchanged, and prints as JSON
# the data it made (times, spectra), the true system, what it recovered, its component spectra
# at its own solution and at the true orbit, and its timings (the whole Nelder-Mead fit, and
# one cost evaluation). Used by the KOREL plugin's tests and benchmark, run as /usr/bin/python3.
import contextlib
import io
import json
import re
import runpy
import sys
import time

import numpy as np
import scipy.optimize

timing = {}
_minimize = scipy.optimize.minimize


def timed_minimize(*args, **kwargs):
    t0 = time.perf_counter()
    result = _minimize(*args, **kwargs)
    timing['fit_s'] = time.perf_counter() - t0
    return result


# The reference does `from scipy.optimize import minimize` when it runs, so it picks this up.
scipy.optimize.minimize = timed_minimize
out = io.StringIO()
with contextlib.redirect_stdout(out):
    g = runpy.run_path(sys.argv[1], run_name='__main__')
printed = out.getvalue()
m = re.search(r'one objective eval .*?: ([0-9.]+) ms', printed)

blas = []
try:
    from threadpoolctl import threadpool_info
    blas = [{k: i.get(k) for k in ('internal_api', 'version', 'num_threads', 'architecture')} for i in threadpool_info()]
except Exception as e:  # the benchmark prints what it can
    blas = [{'error': str(e)}]

kepler_rv, t, res = g['kepler_rv'], g['t'], g['res']
P, T0, e, om, K1, K2 = res.x


def spectra_at(P, T0, e, om, K1, K2):
    _, s1, s2 = g['solve'](kepler_rv(t, P, T0, e, om, K1), -kepler_rv(t, P, T0, e, om, K2), True)
    return s1.tolist(), s2.tolist()


s1, s2 = spectra_at(*res.x)
start = dict(P=3.5, T0=0.35, e=0.15, omega=50.0, K1=60.0, K2=100.0)


def korel_par(el, free):
    # korel.par for this system: stars 1-2 in orbit 0, from the reference's starting point;
    # KOREL fits q = M2/M1 = K1/K2 where the reference fits K2.
    values = [el['P'], el['T0'], el['e'], el['omega'], el['K1'], el['K1'] / el['K2']]
    steps = [0.01, 0.05, 0.05, 10, 10, 0.05]
    lines = ['   1   1   0   0   0  %d   0   0   0' % len(t)]
    lines += ['o  0 %2d  %d  1  1 %r %r' % (j + 1, 1 if free else 0, v, d) for j, (v, d) in enumerate(zip(values, steps))]
    return '\n'.join(lines + ['o  0  0  0  0  0 0 0', ''])

true = dict(P=g['P'], T0=g['T0'], e=g['e'], omega=float(np.degrees(g['om'])), K1=g['K1'], K2=g['K2'])
t1, t2 = spectra_at(true['P'], true['T0'], true['e'], g['om'], true['K1'], true['K2'])
json.dump({
    'N': int(g['N']), 'dv': float(g['dv']), 'lambda0': float(g['lam0']), 'noise': 0.003,
    't': t.tolist(), 'obs': g['obs'].tolist(),
    'lightFractions': [g['LA'], g['LB']],
    'componentsTrue': [(g['LA'] * g['A']).tolist(), (g['LB'] * g['B']).tolist()],
    'true': true,
    'start': start,
    'korelPar': korel_par(start, True),
    'korelParAtTrue': korel_par(true, False),
    'numpy': {
        'P': P, 'T0': T0, 'e': e, 'omega': float(np.degrees(om)), 'K1': K1, 'K2': K2,
        'nfev': int(res.nfev), 'cost': float(res.fun), 'fitSeconds': timing.get('fit_s'),
        'msPerEvaluation': float(m.group(1)) if m else None,
        'spectra': [s1, s2], 'spectraAtTrue': [t1, t2],
    },
    'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'blas': blas},
    'printed': printed,
}, sys.stdout)
