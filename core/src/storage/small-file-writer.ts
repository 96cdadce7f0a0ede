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
  private current: { readonly worker: Worker; readonly pending: Map<number, Pending> } | null = null;
  private next = 1;

  write(tmp: string, full: string, body: Uint8Array, noReplace: boolean): Promise<SmallWriteOutcome> {
    const { worker, pending } = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve, reject });
      const { bytes, transfer } = ownBytes(body);
      worker.postMessage({ id, tmp, full, body: bytes, noReplace } satisfies SmallWriteRequest, transfer);
    });
  }

  private start(): NonNullable<SmallFileWriter['current']> {
    if (this.current) return this.current;
    const worker = new Worker(new URL('./small-file-thread.js', import.meta.url));
    // Writes of a thread that ended are failed with that thread; a new one takes later writes.
    const pending = new Map<number, Pending>();
    const current = { worker, pending };
    worker.unref();
    worker.on('message', (r: SmallWriteReply) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if (pending.size === 0) worker.unref();
      if ('outcome' in r) p.resolve(r.outcome);
      else p.reject(Object.assign(new Error(r.error.message), r.error.code ? { code: r.error.code } : {}));
    });
    const fail = (err: Error) => {
      if (this.current === current) this.current = null;
      for (const p of pending.values()) p.reject(new Error(`the writer thread stopped: ${err.message}`));
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.current = current;
    return current;
  }
}

interface Pending {
  resolve(outcome: SmallWriteOutcome): void;
  reject(err: Error): void;
}

/**
 * The bytes to post. A structured clone of a view copies the whole buffer behind it (a 10-byte
 * slice of a 200 MB buffer took 170 ms to post): a view of part of a buffer is copied out and
 * the copy handed over. A body that is its own buffer is cloned; it stays the caller's.
 */
function ownBytes(body: Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  if (body.buffer instanceof ArrayBuffer && body.byteOffset === 0 && body.byteLength === body.buffer.byteLength) return { bytes: body, transfer: [] };
  const copy = new Uint8Array(body);
  return { bytes: copy, transfer: [copy.buffer] };
}
