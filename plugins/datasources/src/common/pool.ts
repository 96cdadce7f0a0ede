/**
 * Run `work` for every item of an async iterable with at most `limit` running at once. Items
 * are pulled as workers free up, so a producer that discovers items (a crawl, a streamed
 * VOTable) never runs far ahead of the downloads. Stops pulling when `signal` fires.
 */
export async function forEachLimited<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  signal: AbortSignal,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const it = (Symbol.asyncIterator in items ? (items as AsyncIterable<T>)[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]()) as
    | AsyncIterator<T>
    | Iterator<T>;
  let done = false;
  // one pull at a time: iterators are not safe to call concurrently
  let pulling: Promise<IteratorResult<T>> = Promise.resolve({ done: false, value: undefined as T });
  const next = (): Promise<IteratorResult<T>> => {
    pulling = pulling.then(() => (done ? { done: true, value: undefined } : Promise.resolve(it.next())));
    return pulling;
  };
  let failure: { error: unknown } | null = null;
  const worker = async (): Promise<void> => {
    try {
      for (;;) {
        if (signal.aborted || failure) return;
        const r = await next();
        if (r.done) {
          done = true;
          return;
        }
        await work(r.value);
      }
    } catch (error) {
      // stop pulling, let the other workers finish what they hold, then report
      failure ??= { error };
      done = true;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
  } finally {
    await Promise.resolve(it.return?.()).catch(() => undefined);
  }
  if (failure) throw (failure as { error: unknown }).error;
}

/**
 * At most `limit` holders at once; the others wait their turn in order. `take` resolves with
 * the release function (calling it again does nothing), so a holder can let go early.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = Math.max(1, limit);
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      // the slot passes straight to the next in line, or back to the free ones
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
