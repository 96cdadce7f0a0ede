// CPU time accounting from /proc (Linux): how much CPU the vocloud server, its PostgreSQL
// backends, this load generator and everything else on the machine used during a workload.
// This machine is shared with other work, so wall-clock rates alone can mislead; CPU time per
// operation does not depend on what else runs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* keep the usual 100 */
}

/** CPU seconds (user + system) a process has used so far, or null if it is gone. */
export function processCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** CPU seconds of a process's main thread (its event loop, for node), or null. */
export function mainThreadCpuSeconds(pid) {
  return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuSeconds(path) {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole machine (all cores) so far. */
export function machineBusySeconds() {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / ticksPerSecond;
  } catch {
    return null;
  }
}

function sumCpu(pids) {
  const m = new Map();
  for (const pid of pids) {
    const s = processCpuSeconds(pid);
    if (s !== null) m.set(pid, s);
  }
  return m;
}

/**
 * Measure the CPU used while `fn` runs.
 * @param {{ server: number, backends?: () => Promise<number[]> }} who  the server's pid; the
 *   database backend pids serving it (PostgreSQL), looked up before and after
 */
export async function withCpu(who, fn) {
  const backendsBefore = who.backends ? sumCpu(await who.backends()) : new Map();
  const server0 = processCpuSeconds(who.server);
  const main0 = mainThreadCpuSeconds(who.server);
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const wall0 = performance.now();
  const result = await fn();
  const wall = (performance.now() - wall0) / 1000;
  const machine1 = machineBusySeconds();
  const self = process.cpuUsage(self0);
  const server1 = processCpuSeconds(who.server);
  const main1 = mainThreadCpuSeconds(who.server);
  let backends = 0;
  if (who.backends) {
    // Backends that started meanwhile count in full; ones that ended meanwhile are missed.
    for (const [pid, s] of sumCpu(await who.backends())) backends += s - (backendsBefore.get(pid) ?? 0);
  }
  const server = server1 !== null && server0 !== null ? server1 - server0 : null;
  const loadgen = (self.user + self.system) / 1e6;
  const machine = machine1 !== null && machine0 !== null ? machine1 - machine0 : null;
  const cpu = {
    wallSeconds: wall,
    serverSeconds: server,
    // The main thread alone: node's event loop (and, on PGlite, the database) runs there.
    serverMainThreadSeconds: main1 !== null && main0 !== null ? main1 - main0 : null,
    databaseSeconds: who.backends ? backends : null,
    loadGeneratorSeconds: loadgen,
    machineSeconds: machine,
    // What other processes on the machine took meanwhile (other people's tests, …).
    othersSeconds: machine === null ? null : Math.max(0, machine - (server ?? 0) - backends - loadgen),
  };
  return { result, cpu };
}
