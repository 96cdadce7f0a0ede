// Summarise a V8 CPU profile (.cpuprofile from `node --cpu-prof`, e.g. `run.mjs --profile DIR`):
// self time by function and by package, so a change to core can be checked against the same
// workload. Usage: node bench/uws/profile-summary.mjs FILE.cpuprofile [--top N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { table } from './report.mjs';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (positionals.length !== 1) {
  console.error('usage: node bench/uws/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const top = Number(values.top);

// Time per sample: the deltas between samples, attributed to the sampled node.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

/** Which package (or our workspace folder, or Node itself) a script belongs to. */
function packageOf(url) {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node:*';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const m = /\/(core|sdk|plugins\/[^/]+|bench)\/(?:dist|src)?\/?([^/]+)/.exec(url);
  return m ? `vocloud ${m[1]}/${m[2]}` : url;
}

const byFunction = new Map();
const byPackage = new Map();
for (const node of profile.nodes) {
  const us = selfUs.get(node.id) ?? 0;
  if (!us) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^file:\/\/.*\/node_modules\//, '').replace(/^file:\/\/.*?\/main\//, '')}:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
}

const rows = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => [k, (us / 1000).toFixed(0), `${((100 * us) / total).toFixed(1)}%`]);
console.log(`${positionals[0]}: ${(total / 1e6).toFixed(2)} s sampled on the main thread\n`);
console.log(table(['package', 'self ms', 'share'], rows(byPackage)));
console.log();
console.log(table(['function', 'self ms', 'share'], rows(byFunction)));
