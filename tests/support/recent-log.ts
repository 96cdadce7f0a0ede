/**
 * The recent log of the servers a test file started, kept in memory and printed only when a
 * test fails (tests/support/failure-log.ts). Test servers print warnings and errors only, so
 * that a passing run stays readable; a failure under load (a job that stays EXECUTING, a
 * result that does not come) needs the info and debug lines that say where the time went.
 */

/** What a failure prints of each source: its last lines. */
const LINES_PER_SOURCE = 300;

const sources = new Map<string, () => string>();

/** Name a log to print when a test fails; the returned function forgets it. */
export function keepLog(name: string, read: () => string): () => void {
  let unique = name;
  for (let n = 2; sources.has(unique); n++) unique = `${name} #${n}`;
  sources.set(unique, read);
  return () => sources.delete(unique);
}

/** Every kept log's last lines, under its name ('' when none is kept). */
export function recentLogs(): string {
  const parts: string[] = [];
  for (const [name, read] of sources) {
    const lines = read().split('\n').filter(Boolean).slice(-LINES_PER_SOURCE);
    if (lines.length > 0) parts.push(`── ${name}: last ${lines.length} log lines ──\n${lines.join('\n')}`);
  }
  return parts.join('\n');
}

/** A pino destination that keeps the last lines written to it. */
export class LogRing {
  private readonly lines: string[] = [];

  constructor(private readonly max = LINES_PER_SOURCE) {}

  write(line: string): void {
    this.lines.push(line.endsWith('\n') ? line.slice(0, -1) : line);
    if (this.lines.length > this.max * 2) this.lines.splice(0, this.lines.length - this.max);
  }

  text(): string {
    return this.lines.slice(-this.max).join('\n');
  }
}
