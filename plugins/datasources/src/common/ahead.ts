/**
 * Map items to lists with up to `n` calls of `fn` running ahead of the consumer, yielding the
 * results in order. Resolving DataLink documents for many rows overlaps this way instead of
 * one round trip at a time.
 */
export async function* mapAhead<T, R>(source: Iterable<T> | AsyncIterable<T>, n: number, fn: (item: T) => Promise<R[]>): AsyncGenerator<R> {
  const queue: Promise<R[]>[] = [];
  for await (const item of source) {
    const p = fn(item);
    p.catch(() => undefined); // observed when its turn comes
    queue.push(p);
    if (queue.length >= n) yield* await queue.shift()!;
  }
  while (queue.length > 0) yield* await queue.shift()!;
}
