/**
 * A fixed pool of kernel worker threads sharing arrays through SharedArrayBuffers. The caller
 * binds arrays once, then runs lists of tasks; tasks are handed out one at a time to whichever
 * worker is free, so a slow core does not hold the others back, and an abort takes effect
 * after the tasks already running (one block of work).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { BackendName } from './backend.js';
import type { PoolMessage, SharedArray, Task, WorkerReply } from './pool-protocol.js';

export class KernelPool {
  readonly threads: number;
  private readonly workers: Worker[] = [];
  private label = '';
  private closed = false;

  private constructor(threads: number) {
    this.threads = threads;
  }

  /**
   * Start `threads` workers (default: one per core) running `backend`. With `expectLabel`, every
   * worker must have loaded exactly that kernel ('native-avx2', …), or the start fails.
   */
  static async start(backend: BackendName | 'auto', threads = availableParallelism(), expectLabel?: string): Promise<KernelPool> {
    const pool = new KernelPool(Math.max(1, Math.floor(threads)));
    const url = new URL('./pool-worker.js', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let id = 0; id < pool.threads; id++) {
      const w = new Worker(url, { workerData: { backend, id } });
      pool.workers.push(w);
      ready.push(pool.reply(w).then((r) => {
        if (r.type !== 'ready') return;
        if (expectLabel !== undefined && r.label !== expectLabel) {
          throw new Error(`a SOM kernel thread loaded ${r.label}, the calling thread ${expectLabel} (was the native kernel rebuilt meanwhile?)`);
        }
        pool.label = r.label;
      }));
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  /** The backend the workers run ('native-avx512', 'js', ...). */
  get backendLabel(): string {
    return this.label;
  }

  private reply(w: Worker): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: WorkerReply): void => {
        cleanup();
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m);
      };
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`kernel worker exited (code ${code})`));
      };
      const cleanup = (): void => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
    });
  }

  private send(w: Worker, m: PoolMessage): Promise<WorkerReply> {
    const r = this.reply(w);
    w.postMessage(m);
    return r;
  }

  /** Make arrays available to the workers by name; a list gives worker i its element i; null unbinds. */
  async bind(arrays: Record<string, SharedArray | SharedArray[] | null>): Promise<void> {
    for (const [name, v] of Object.entries(arrays)) {
      const list = Array.isArray(v) ? v : v ? [v] : [];
      for (const a of list) {
        if (!(a.buffer instanceof SharedArrayBuffer)) throw new Error(`KernelPool.bind: '${name}' is not backed by a SharedArrayBuffer`);
      }
      if (Array.isArray(v) && v.length < this.threads) throw new Error(`KernelPool.bind: '${name}' needs one array per worker`);
    }
    await Promise.all(this.workers.map((w) => this.send(w, { type: 'bind', arrays })));
  }

  /** Run the tasks on the free workers; rejects with the signal's reason once it fires. */
  async run(tasks: readonly Task[], signal?: AbortSignal): Promise<void> {
    if (this.closed) throw new Error('KernelPool is closed');
    let next = 0;
    let failure: unknown = null;
    const loop = async (w: Worker): Promise<void> => {
      while (failure === null && next < tasks.length) {
        if (signal?.aborted) {
          failure = signal.reason ?? new Error('aborted');
          return;
        }
        const task = tasks[next++]!;
        try {
          await this.send(w, { type: 'task', task });
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(this.workers.map(loop));
    if (failure !== null) throw failure;
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  }

  /** Split [0, n) into tasks of about `block` items. */
  static ranges(n: number, block: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let a = 0; a < n; a += block) out.push([a, Math.min(n, a + block)]);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A typed array of `length` elements on a SharedArrayBuffer. */
export function sharedF32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}
export function sharedF64(length: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(length * 8));
}
export function sharedI32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * 4));
}
