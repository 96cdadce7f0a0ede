/**
 * Work that may trail behind the downloads (the provenance sidecars): at most `parallel` tasks
 * run at once and at most `maxQueued` wait, so a download slot is freed as soon as its file is
 * stored, yet a slow storage slows the downloads down (add() waits for room) instead of
 * piling up memory. Tasks handle their own errors; flush() waits until every task has run.
 */
export class WriteBehind {
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  private readonly room: (() => void)[] = [];
  private readonly drained: (() => void)[] = [];

  constructor(
    private readonly parallel: number,
    private readonly maxQueued: number,
  ) {}

  /** Queue a task; resolves when it is queued (at once unless the queue is full). */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.queue.length >= this.maxQueued) await new Promise<void>((r) => this.room.push(r));
    this.queue.push(task);
    this.pump();
  }

  /** Resolves when nothing is queued or running. */
  flush(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((r) => this.drained.push(r));
  }

  private pump(): void {
    while (this.running < this.parallel && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.room.shift()?.();
      this.running++;
      void task()
        .catch(() => undefined) // tasks report their own failures
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) for (const r of this.drained.splice(0)) r();
        });
    }
  }
}
