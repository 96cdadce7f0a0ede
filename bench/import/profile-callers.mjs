// Which of our functions a thread's CPU time is spent under: every sample of a V8 CPU profile
// (`node --cpu-prof`, see profile.mjs) is charged to the nearest vocloud frame on its stack
// (core, sdk or a plugin), so the time of a native call such as lstat or rename lands on the
// storage function that made it. Synchronous stacks only: time after an await is charged to
// whoever resumed it (usually node's internals). Usage:
//   node bench/import/profile-callers.mjs FILE.cpuprofile [--top 30] [--jobs N]
// --jobs N also prints milliseconds per job.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' }, jobs: { type: 'string', default: '1' } } });
if (positionals.length !== 1) {
  console.error('usage: node bench/import/profile-callers.mjs FILE.cpuprofile [--top N] [--jobs N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const jobs = Number(values.jobs);
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const ours = /\/(core|sdk|plugins\/[^/]+)\/(?:dist|src)\/(.+)$/;
const label = (n) => {
  const m = ours.exec(n.callFrame.url);
  return m ? `${m[1]}/${m[2]} ${n.callFrame.functionName || '(anonymous)'}` : null;
};
const leafName = (n) => n.callFrame.functionName || (n.callFrame.url ? '(anonymous)' : '(native)');

const perCaller = new Map();
let idle = 0;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const us = profile.timeDeltas[i] ?? 0;
  total += us;
  const leaf = byId.get(profile.samples[i]);
  if (leaf.callFrame.functionName === '(idle)' || leaf.callFrame.url.includes('piscina/dist/worker')) {
    idle += us;
    continue;
  }
  let caller = '(node internals, timers, I/O callbacks)';
  for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
    const l = label(byId.get(id));
    if (l) {
      caller = l;
      break;
    }
  }
  let e = perCaller.get(caller);
  if (!e) perCaller.set(caller, (e = { us: 0, leaves: new Map() }));
  e.us += us;
  const ln = leafName(leaf);
  e.leaves.set(ln, (e.leaves.get(ln) ?? 0) + us);
}
const busy = total - idle;
const ms = (us) => (us / 1000 / jobs).toFixed(0);
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (idle and piscina's wait left out)${jobs > 1 ? `; ms per job over ${jobs} jobs` : ''}\n`);
console.log('| nearest vocloud frame | ms | share of busy | top leaves (ms) |');
console.log('|---|---:|---:|---|');
for (const [caller, e] of [...perCaller.entries()].sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top))) {
  const leaves = [...e.leaves.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([n, us]) => `${n} ${ms(us)}`).join(', ');
  console.log(`| ${caller} | ${ms(e.us)} | ${((100 * e.us) / busy).toFixed(1)}% | ${leaves} |`);
}
