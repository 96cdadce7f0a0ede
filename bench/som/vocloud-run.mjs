// One vocloud SOM training in its own process (so that its peak RSS is its own), started by
// run.mjs. argv: JSON { data, n, d, rows, cols, epochs, init (path|'pca'), threads, backend }.
// Prints one JSON line: timings, QE/TE, per-epoch figures, backend and peak RSS.
import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { trainSom } from '@vocloud/plugin-som/kernel';

if (process.argv[2] === '--idle') {
  // the runtime's own footprint: node, the worker pool and the kernel, on a tiny problem
  const x = new Float32Array(new SharedArrayBuffer(4 * 100 * 10)).map((_, i) => Math.sin(i));
  await trainSom(x, 100, 10, { rows: 2, cols: 2, epochs: 1 });
  console.log(process.resourceUsage().maxRSS);
  process.exit(0);
}
const job = JSON.parse(process.argv[2]);
/** Read a float32 file straight into shared memory: no second copy of the matrix. */
function readShared(path, count) {
  const sab = new SharedArrayBuffer(count * 4);
  const bytes = new Uint8Array(sab);
  const fd = openSync(path, 'r');
  let off = 0;
  while (off < bytes.length) {
    const got = readSync(fd, bytes, off, Math.min(1 << 26, bytes.length - off), off);
    if (got === 0) throw new Error(`${path}: file ends after ${off} bytes`);
    off += got;
  }
  closeSync(fd);
  return new Float32Array(sab);
}
const x = readShared(job.data, job.n * job.d);
const init = job.init === 'pca' ? 'pca' : (() => { const b = readFileSync(job.init); return new Float32Array(b.buffer, b.byteOffset, b.length / 4); })();
const r = await trainSom(x, job.n, job.d, {
  rows: job.rows, cols: job.cols, epochs: job.epochs, init, threads: job.threads, backend: job.backend ?? 'auto',
});
let wsum = 0;
for (const v of r.weights) wsum += v;
const out = {
  backend: r.backend, threads: r.threads, init_s: r.timings.initSeconds, train_s: r.timings.trainSeconds,
  eval_s: r.timings.evalSeconds, epoch_s: r.history.map((e) => e.seconds), qe_pre_update: r.history.map((e) => e.qe),
  te_pre_update: r.history.map((e) => e.te), final_qe: r.qe, final_te: r.te, weights_sum: wsum,
  maxRssKiB: process.resourceUsage().maxRSS,
};
if (job.saveWeights) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(job.saveWeights, Buffer.from(r.weights.buffer, r.weights.byteOffset, r.weights.byteLength));
  writeFileSync(job.saveWeights.replace(/\.f32$/, '.init.f32'), Buffer.from(r.initialWeights.buffer));
}
console.log(JSON.stringify(out));
