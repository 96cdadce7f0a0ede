import { Readable, Transform, type TransformCallback } from 'node:stream';

/**
 * Passes a datanode's body through and fails the stream unless it is the whole range: a
 * datanode that cuts a file short (or sends more) must not hand a reader a silently different
 * file. `expected` comes from a GETFILESTATUS made before the OPEN; when the count disagrees,
 * `recheck` asks the namenode again, because the file may have been replaced (atomically)
 * in between — then the datanode sent the new version, whole, which is right.
 */
export class CheckedLength extends Transform {
  seen = 0;

  constructor(
    private expected: number,
    private readonly recheck: () => Promise<number>,
    private readonly fail: (message: string) => Error,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen <= this.expected) {
      callback(null, chunk);
      return;
    }
    this.recheck().then(
      (now) => {
        this.expected = now;
        if (this.seen > now) callback(this.fail(`the datanode sent more than the ${now} bytes the file has`));
        else callback(null, chunk);
      },
      (err: unknown) => callback(err as Error),
    );
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen === this.expected) {
      callback();
      return;
    }
    const promised = this.expected;
    this.recheck().then(
      (now) => callback(now === this.seen ? null : this.fail(`the datanode ended the data after ${this.seen} of ${promised} bytes`)),
      (err: unknown) => callback(err as Error),
    );
  }
}

export type Source = Readable | AsyncIterable<Uint8Array> | Uint8Array;

/**
 * The request body for a datanode upload, read from `source` as the socket drains. It counts
 * the bytes it passed on, remembers an error of the source (so the caller can rethrow the
 * caller's own error, not a socket error), and calls `onStall` when the datanode stops
 * taking data for `idleMs`: the clock runs only while our buffer is full, so a slow source
 * (a user's slow upload) is never mistaken for a hung datanode.
 */
export class UploadBody extends Readable {
  bytes = 0;
  sourceError: unknown = null;
  private readonly it: AsyncIterator<Uint8Array>;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    source: Source,
    private readonly idleMs: number,
    private readonly onStall: () => void,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.it = source instanceof Uint8Array ? (async function* one() { yield source; })() : source[Symbol.asyncIterator]();
  }

  override _read(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.reading) return;
    this.reading = true;
    void this.pull();
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.it.next();
        if (this.destroyed) return;
        if (done) {
          this.push(null);
          return;
        }
        // Streams in object mode (Readable.from(['a', 'b'])) may yield strings.
        const v = value as Uint8Array | string;
        const chunk = typeof v === 'string' ? Buffer.from(v) : v instanceof Buffer ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        if (chunk.length === 0) continue;
        this.bytes += chunk.length;
        if (!this.push(chunk)) {
          // The consumer (the socket) is full; if it does not ask again in time, the datanode hangs.
          this.timer = setTimeout(() => this.onStall(), this.idleMs);
          this.timer.unref?.();
          return;
        }
      }
    } catch (err) {
      this.sourceError = err;
      this.destroy(err as Error);
    } finally {
      this.reading = false;
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    clearTimeout(this.timer);
    // Stop a generator or stream source we will not read to the end.
    void Promise.resolve(this.it.return?.()).catch(() => undefined);
    callback(err);
  }
}
