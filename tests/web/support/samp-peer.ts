import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface SampEvent {
  readonly event: string;
  readonly [key: string]: unknown;
}

/**
 * astropy's SAMP hub (Web Profile on port 21012) and a desktop-tool stand-in on it, in a
 * /usr/bin/python3 child (support/samp_peer.py), driven by JSON lines.
 */
export class SampPeer {
  private readonly events: SampEvent[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return; // astropy's log lines
      this.events.push(JSON.parse(line) as SampEvent);
      for (const w of this.waiters) w();
    });
  }

  static async start(): Promise<SampPeer> {
    const child = spawn('/usr/bin/python3', [join(import.meta.dirname, 'samp_peer.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const peer = new SampPeer(child);
    const first = await peer.next((e) => e.event === 'ready' || e.event === 'error', 30_000);
    if (first.event === 'error') throw new Error(String(first.message));
    return peer;
  }

  send(cmd: Record<string, unknown>): void {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  /** The first event (seen so far or coming) that matches, taken out of the queue. */
  next(match: (e: SampEvent) => boolean, timeoutMs = 20_000): Promise<SampEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.events.findIndex(match);
        if (i < 0) return false;
        const [e] = this.events.splice(i, 1);
        this.waiters.delete(check as () => void);
        clearTimeout(timer);
        resolve(e!);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check as () => void);
        reject(new Error(`no matching SAMP event in ${timeoutMs} ms; seen: ${JSON.stringify(this.events).slice(0, 500)}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check as () => void);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.send({ cmd: 'quit' });
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, 5000);
      this.child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
