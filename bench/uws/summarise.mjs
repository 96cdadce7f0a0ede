// The spread over several runs: reads the JSON files of `run.mjs --json FILE` and prints, per
// database, each run's headline figures and their min / median / max.
// Usage: node bench/uws/summarise.mjs run1.json run2.json …
import { readFileSync } from 'node:fs';
import { medianRound, table, TARGETS } from './report.mjs';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/uws/summarise.mjs RUN.json [RUN.json …]   (files written by run.mjs --json)');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));

const perOp = (seconds, n) => (seconds === null || seconds === undefined ? NaN : (seconds * 1000) / n);
/** The headline figures of one database in one run. */
function figures(r) {
  const t = r.throughput;
  const g = medianRound(r.get);
  const c = medianRound(r.ceiling);
  const others = (cpu) => (cpu.othersSeconds ?? NaN) / cpu.wallSeconds;
  return {
    'jobs/s': t.jobsPerSecond,
    'creates/s': t.createsPerSecond,
    'EXECUTING p50 ms': t.executingMs.p50,
    'CPU ms/job server': perOp(t.cpu.serverSeconds, t.jobs),
    'CPU ms/job main thread': perOp(t.cpu.serverMainThreadSeconds, t.jobs),
    'CPU ms/job database': perOp(t.cpu.databaseSeconds, t.jobs),
    'GET/s': g.requestsPerSecond,
    'ceiling GET/s': c.requestsPerSecond,
    'GET vs ceiling': g.requestsPerSecond / c.requestsPerSecond,
    'CPU ms/GET server': perOp(g.cpu.serverSeconds, g.total),
    'CPU ms/GET database': perOp(g.cpu.databaseSeconds, g.total),
    'ceiling CPU ms/GET server': perOp(c.cpu.serverSeconds, c.total),
    'ceiling CPU ms/GET database': perOp(c.cpu.databaseSeconds, c.total),
    'wake-up p50 ms': r.wakeup.fromChangeMs.p50,
    'wake-up p95 ms': r.wakeup.fromChangeMs.p95,
    'wake-up max ms': r.wakeup.fromChangeMs.max,
    'other processes, cores (jobs / GET / wake-up)': [others(t.cpu), others(g.cpu), others(r.wakeup.cpu)],
  };
}

const fmt = (v) => {
  if (Array.isArray(v)) return v.map((x) => fmt(x)).join(' / ');
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2);
};
const stat = (vals) => {
  if (Array.isArray(vals[0])) return '';
  const s = vals.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? `${fmt(s[0])} / ${fmt(s[Math.floor((s.length - 1) / 2)])} / ${fmt(s.at(-1))}` : '—';
};

for (const kind of ['pglite', 'postgres']) {
  const rows = runs.map((run) => run.results.find((r) => r.kind === kind)).filter(Boolean).map(figures);
  if (rows.length === 0) continue;
  // Figures no run has (the database's own CPU on PGlite, which runs inside the server) are left out.
  const keys = Object.keys(rows[0]).filter((k) => rows.some((r) => (Array.isArray(r[k]) ? r[k].some(Number.isFinite) : Number.isFinite(r[k]))));
  const body = keys.map((k) => [k, ...rows.map((r) => fmt(r[k])), stat(rows.map((r) => r[k]))]);
  console.log(`\n${kind === 'pglite' ? 'PGlite' : 'PostgreSQL'} — ${rows.length} runs (targets: ≥ ${TARGETS.jobsPerSecond} jobs/s, ≥ ${TARGETS.getsPerSecond} GET/s, wake-up ≤ ${TARGETS.wakeupMs} ms)`);
  console.log(table(['figure', ...rows.map((_, i) => `run ${i + 1}`), 'min / median / max'], body));
}
