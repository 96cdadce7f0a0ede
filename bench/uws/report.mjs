// The printed tables: one per database, our figure beside the ceiling and the target, with
// ratios (≥ 1 means the target is met or the ceiling reached), then where the CPU time went.

const num = (v, digits = 0) =>
  v === undefined || v === null || Number.isNaN(v) ? '—' : Number(v).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (v) => (v === undefined || v === null || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);

export function table(head, rows) {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => `| ${r.map((c, i) => (i === 0 ? String(c).padEnd(width[i]) : String(c).padStart(width[i]))).join(' | ')} |`;
  return [line(head), `|${width.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** Targets from issue 3 (for PostgreSQL on a 2-core machine). */
export const TARGETS = { jobsPerSecond: 300, getsPerSecond: 5000, wakeupMs: 50 };

/** The round with the median request rate (rounds alternate with the ceiling's). */
export function medianRound(rounds) {
  const sorted = [...rounds].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

const spread = (rounds) => {
  const rates = rounds.map((r) => r.requestsPerSecond);
  return rounds.length > 1 ? `${num(Math.min(...rates))}–${num(Math.max(...rates))}` : num(rates[0]);
};

/** CPU milliseconds per operation: server (its main thread) / database (PostgreSQL backends). */
function cpuPer(cpu, operations) {
  const ms = (s) => (s === null || s === undefined ? '—' : num((s * 1000) / operations, 2));
  const server = `${ms(cpu.serverSeconds)} (${ms(cpu.serverMainThreadSeconds)})`;
  return cpu.databaseSeconds === null ? server : `${server} / ${ms(cpu.databaseSeconds)}`;
}

/**
 * The most operations per second this CPU cost allows, whatever else runs: all cores shared by
 * server, database and load generator / the server's main thread alone (one core at most).
 */
function bounds(cpu, operations, cores) {
  const perOp = (s) => (s === null || s === undefined ? NaN : s / operations);
  const all = perOp(cpu.serverSeconds) + (perOp(cpu.databaseSeconds) || 0) + perOp(cpu.loadGeneratorSeconds);
  return `${num(cores / all)} / ${num(1 / perOp(cpu.serverMainThreadSeconds))}`;
}
const others = (cpu) => (cpu.othersSeconds === null ? '—' : num(cpu.othersSeconds / cpu.wallSeconds, 2));

/**
 * Rows: higher-is-better figures get ratio = ours / target; lower-is-better (latency) get
 * ratio = target / ours, so ≥ 1 always means "met".
 */
export function databaseTable(r, cores, executor) {
  const t = r.throughput;
  const g = medianRound(r.get);
  const c = medianRound(r.ceiling);
  const w = r.wakeup;
  const pg = t.cpu.databaseSeconds !== null;
  const cpuLabel = pg ? 'server (main thread) / database' : 'server (main thread), PGlite inside';
  const boundLabel = `bound by CPU cost: ${cores} cores / main thread`;
  const rows = [
    [`no-op jobs/s, create PHASE=RUN → COMPLETED (${t.jobs} jobs, ${t.concurrency} clients)`, num(t.jobsPerSecond), '—', `≥ ${TARGETS.jobsPerSecond}`, ratio(t.jobsPerSecond / TARGETS.jobsPerSecond), '—'],
    ['  creates/s answered (303) during that run', num(t.createsPerSecond), '—', '', '', ''],
    ['  one job, creationTime → endTime, p50 / p95 (ms)', `${num(t.jobLatencyMs.p50)} / ${num(t.jobLatencyMs.p95)}`, '—', '', '', ''],
    ['  of which QUEUED (→ startTime) / EXECUTING (→ endTime), p50 (ms)', `${num(t.queuedMs.p50)} / ${num(t.executingMs.p50, 1)}`, '—', '', '', ''],
    [`  bound by executor slots: ${executor} / mean EXECUTING time (jobs/s)`, num((executor * 1000) / t.meanExecutingMs), '—', '', '', ''],
    [`  CPU ms per job, ${cpuLabel}`, cpuPer(t.cpu, t.jobs), '—', '', '', ''],
    [`  ${boundLabel} (jobs/s)`, bounds(t.cpu, t.jobs, cores), '—', '', '', ''],
    [`GET job/s, ${g.connections} connections (median of ${r.get.length} × ${num(g.duration)} s)`, num(g.requestsPerSecond), num(c.requestsPerSecond), `≥ ${num(TARGETS.getsPerSecond)}`, ratio(g.requestsPerSecond / TARGETS.getsPerSecond), ratio(g.requestsPerSecond / c.requestsPerSecond)],
    ['  every round (min–max)', spread(r.get), spread(r.ceiling), '', '', ''],
    ['  latency p50 / p99 (ms)', `${num(g.latencyMs.p50, 1)} / ${num(g.latencyMs.p99, 1)}`, `${num(c.latencyMs.p50, 1)} / ${num(c.latencyMs.p99, 1)}`, '', '', ''],
    [`  CPU ms per GET, ${cpuLabel}`, cpuPer(g.cpu, g.total), cpuPer(c.cpu, c.total), '', '', ''],
    [`  ${boundLabel} (GET/s)`, bounds(g.cpu, g.total, cores), bounds(c.cpu, c.total, cores), '', '', ''],
    [`WAIT=-1 wake-up after a phase change, p50 (ms, ${w.samples} samples)`, num(w.fromChangeMs.p50, 1), '—', `≤ ${TARGETS.wakeupMs}`, ratio(TARGETS.wakeupMs / w.fromChangeMs.p50), '—'],
    ['  p95 (ms)', num(w.fromChangeMs.p95, 1), '—', `≤ ${TARGETS.wakeupMs}`, ratio(TARGETS.wakeupMs / w.fromChangeMs.p95), '—'],
    ['  max (ms)', num(w.fromChangeMs.max, 1), '—', `≤ ${TARGETS.wakeupMs}`, ratio(TARGETS.wakeupMs / w.fromChangeMs.max), '—'],
    ['  from sending PHASE=RUN instead, p50 / p95 / max (ms)', `${num(w.fromRequestMs.p50, 1)} / ${num(w.fromRequestMs.p95, 1)} / ${num(w.fromRequestMs.max, 1)}`, '—', '', '', ''],
    ['other processes on the machine, cores busy: jobs / GET / wake-up', `${others(t.cpu)} / ${others(g.cpu)} / ${others(w.cpu)}`, others(c.cpu), '', '', ''],
  ];
  const problems = [];
  for (const [who, rounds] of [['vocloud', r.get], ['ceiling', r.ceiling]]) {
    const bad = rounds.reduce((n, x) => n + x.non2xx + x.errors, 0);
    if (bad) problems.push(`${who} GET: ${bad} non-2xx answers or errors`);
  }
  const other = Object.entries(t.phases).filter(([p]) => p !== 'COMPLETED');
  if (other.length) problems.push(`jobs not COMPLETED: ${other.map(([p, n]) => `${n} ${p}`).join(', ')}`);
  return (
    table(['measure', 'vocloud', 'ceiling', 'target', 'vs target', 'vs ceiling'], rows) +
    (problems.length ? `\nWARNING: ${problems.join('; ')}` : '')
  );
}
