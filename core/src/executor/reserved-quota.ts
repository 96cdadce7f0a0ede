import type { Accounting } from '../files/storage-ops.js';

/** How often, at most, a thread tells the executor what its reservation has paid for. */
const REPORT_INTERVAL_MS = 250;

/** The executor's side of a job's reservation, as a thread reaches it. */
export interface ReservationChannel {
  /** Take at least `need` more bytes of the owner's quota; resolves with what was granted. */
  reserve(need: number, used: number): Promise<number>;
  /** Give back `balance` unused bytes; `used` is what was paid for since the last report. */
  release(balance: number, used: number): Promise<void>;
  /** What was paid for since the last report (no answer awaited). */
  report(used: number): void;
  /** Any other owner's charge or credit, one request each. */
  charge(ownerId: string | null, bytes: number): Promise<void>;
  credit(ownerId: string | null, bytes: number): Promise<void>;
}

/**
 * Quota accounting inside an executor thread. The job owner's writes are paid from a balance
 * of quota the executor charged ahead (in chunks, Executor.reserve), so a write costs no
 * message to the main thread and no database statement; only running out asks for more. The
 * quota is never exceeded: a write waits until its bytes are reserved. What the balance paid
 * for is reported every REPORT_INTERVAL_MS (and with each request), and the rest is released
 * when the job ends (release(), before the thread returns) or before a result is recorded.
 * Freed bytes (a file replaced by a smaller one) join the balance, as they did the executor's.
 */
export class ReservedQuota implements Accounting {
  private balance = 0;
  private unreported = 0;
  private lastReport = Date.now();

  constructor(
    private readonly ownerId: string | null,
    private readonly channel: ReservationChannel,
  ) {}

  async charge(ownerId: string | null, bytes: number): Promise<void> {
    if (ownerId !== this.ownerId) return this.channel.charge(ownerId, bytes);
    // Another write, or a release, may change the balance while this one waits: add the grant
    // to the balance as it is then (never to the value read before the wait), and look again.
    while (this.balance < bytes) {
      const granted = await this.channel.reserve(bytes - this.balance, this.takeUnreported());
      this.balance += granted;
    }
    this.balance -= bytes;
    this.unreported += bytes;
    if (Date.now() - this.lastReport >= REPORT_INTERVAL_MS) this.channel.report(this.takeUnreported());
  }

  credit(ownerId: string | null, bytes: number): Promise<void> {
    return this.channel.credit(ownerId, bytes);
  }

  /** Give back what is left (the job ends, or a result needs the room). */
  async release(): Promise<void> {
    const balance = this.balance;
    const used = this.takeUnreported();
    if (balance === 0 && used === 0) return;
    this.balance = 0;
    await this.channel.release(balance, used);
  }

  private takeUnreported(): number {
    const used = this.unreported;
    this.unreported = 0;
    this.lastReport = Date.now();
    return used;
  }
}
