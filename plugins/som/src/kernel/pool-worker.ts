/**
 * A kernel worker thread: holds the shared arrays bound by the pool and runs one task at a time
 * on them with the chosen backend. Arrays bound as a list give each worker its own element
 * (per-thread accumulators).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendName } from './backend.js';
import type { PoolMessage, Task } from './pool-protocol.js';

type Arr = Float32Array | Float64Array | Int32Array;
const { backend: want, id } = workerData as { backend: BackendName | 'auto'; id: number };
const backend = selectBackend(want);
const arrays = new Map<string, Arr>();

function get<T extends Arr>(name: string): T {
  const a = arrays.get(name);
  if (!a) throw new Error(`kernel worker: array '${name}' was not bound`);
  return a as T;
}
function maybe<T extends Arr>(name: string): T | null {
  return (arrays.get(name) as T | undefined) ?? null;
}

/** z += sum_i ((x_i - mean) . v) (x_i - mean) over rows [n0, n1): one step of the PCA operator. */
function covMatVec(x: Float32Array, n0: number, n1: number, d: number, mean: Float64Array, v: Float64Array, z: Float64Array): void {
  for (let i = n0; i < n1; i++) {
    const o = i * d;
    let y = 0;
    for (let j = 0; j < d; j++) y += (x[o + j]! - mean[j]!) * v[j]!;
    for (let j = 0; j < d; j++) z[j] += y * (x[o + j]! - mean[j]!);
  }
}

function run(t: Task): void {
  switch (t.op) {
    case 'bmu':
      backend.bmu(get('x'), t.n0, t.n1, t.d, get('packed'), get('w2'), t.k, get('bmu'), maybe('score'), maybe('second'));
      return;
    case 'accumulate':
      backend.accumulate(get('x'), t.n, t.d, t.j0, t.j1, get('bmu'), get('s'), t.k);
      return;
    case 'neighbour':
      backend.neighbourProduct(get('h'), get('s'), t.k, t.d, t.k0, t.k1, get('num'));
      return;
    case 'separable':
      backend.separableProduct(t.hx, t.hy, get('s'), t.nx, t.ny, t.d, t.j0, t.j1, get('tmp'), get('s'));
      return;
    case 'update':
      backend.updateWeights(get(t.source), get('den'), t.k, t.d, t.j0, t.j1, get('w'));
      return;
    case 'online':
      backend.onlineSteps(get('x'), t.d, t.order, get('w'), get('w2o'), t.k, get('d2'), t.kind, t.cosine, t.sigma, t.alpha);
      return;
    case 'covmv':
      covMatVec(get('x'), t.n0, t.n1, t.d, get('mean'), get('v'), get('z'));
      return;
  }
}

parentPort!.on('message', (m: PoolMessage) => {
  if (m.type === 'bind') {
    for (const [name, value] of Object.entries(m.arrays)) {
      if (value === null) arrays.delete(name);
      else arrays.set(name, Array.isArray(value) ? value[id]! : value);
    }
    parentPort!.postMessage({ type: 'bound' });
    return;
  }
  try {
    run(m.task);
    parentPort!.postMessage({ type: 'done' });
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).message });
  }
});
parentPort!.postMessage({ type: 'ready', label: backend.label });
