/** What a subscriber is told when it cannot keep up. */
export class SubscriberTooSlowError extends Error {}

/**
 * The events of one subscription, in order, as an async iterator (what a GraphQL subscribe
 * resolver returns). Bounded: a subscriber that falls `max` events behind is ended with an
 * error rather than buffered without limit — a gap in a phase history would mislead it.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private finished = false;

  constructor(
    private readonly max: number,
    private readonly onEnd: () => void,
  ) {}

  push(item: T): void {
    if (this.finished || this.failure) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve({ value: item, done: false });
    } else if (this.items.length >= this.max) {
      this.fail(new SubscriberTooSlowError(`the subscriber fell more than ${this.max} events behind; subscribe again`));
    } else {
      this.items.push(item);
    }
  }

  /** End the subscription with an error (delivered after nothing else). */
  fail(error: Error): void {
    if (this.finished) return;
    this.failure = error;
    this.items.length = 0;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      this.finish();
      w.reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
    if (this.failure && !this.finished) {
      this.finish();
      return Promise.reject(this.failure);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The client stopped the subscription (or the connection closed). */
  return(): Promise<IteratorResult<T>> {
    this.finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.items.length = 0;
    const w = this.waiter;
    this.waiter = null;
    w?.resolve({ value: undefined, done: true });
    this.onEnd();
  }
}
