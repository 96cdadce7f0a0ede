import { Worker } from 'node:worker_threads';
import type { SmallWriteOutcome } from './small-file.js';

export interface SmallWriteRequest {
  readonly id: number;
  readonly tmp: string;
  readonly full: string;
  readonly body: Uint8Array;
  readonly noReplace: boolean;
}

export type SmallWriteReply =
  | { readonly id: number; readonly outcome: SmallWriteOutcome }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/**
 * Small atomic writes in a thread of their own. An import job writes thousands of small files;
 * their system calls (create, write, link or rename, twice per file with the sidecar) took
 * half of the job thread's CPU on ext4, and the job thread is an import's bottleneck. Here the
 * job thread pays one message each way per file and goes on with its downloads meanwhile; the
 * calls are the same, in another thread (not libuv's pool: four to five hand-offs per file cost
 * more than the calls, docs/plugins/datasources.md).
 */
export class SmallFileWriter {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (o: SmallWriteOutcome) => void; reject: (e: Error) => void }>();

  write(tmp: string, full: string, body: Uint8Array, noReplace: boolean): Promise<SmallWriteOutcome> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, tmp, full, body, noReplace } satisfies SmallWriteRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./small-file-thread.js', import.meta.url));
    worker.unref();
    worker.on('message', (r: SmallWriteReply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if ('outcome' in r) p.resolve(r.outcome);
      else p.reject(Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {}));
    });
    const fail = (err: Error) => {
      this.worker = null;
      for (const p of this.pending.values()) p.reject(new Error(`the writer thread stopped: ${err.message}`));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
