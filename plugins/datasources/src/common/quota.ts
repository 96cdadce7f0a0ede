import type { JobStorage } from '@vocloud/sdk';
import { formatBytes } from './format.js';

/** Room a provenance sidecar takes besides its file (they are a few hundred bytes to a few kB). */
export const SIDECAR_ALLOWANCE = 4096;

/** Numbers younger than this are not asked for again before refusing an item. */
const FRESH_MS = 1000;

/**
 * Refuses a download whose announced size cannot fit in the owner's storage quota before a
 * byte of it is fetched. Asking core for the numbers is a round trip to the database, so it
 * is not done per item: the owner's use is estimated from one answer plus what this job has
 * written since, and asked again only when that estimate says an item does not fit (another
 * job or a deletion may have changed it). Core's own check when a file is written stays the
 * final word; this one only saves fetching what cannot be kept.
 */
export class QuotaCheck {
  private known: { used: number; limit: number; at: number } | null = null;
  private asking: Promise<{ used: number; limit: number; at: number } | null> | null = null;
  /** Bytes this job stored since `known` was read. */
  private since = 0;
  /** Core could not say (an old host): checked at write time only, not asked again. */
  private unavailable = false;

  constructor(
    private readonly storage: Pick<JobStorage, 'quota'>,
    /** Whose quota it is, for the message (null: anonymous). */
    private readonly owner: string | null,
    /** False when the target is not charged to the owner (shared DATA/): nothing is checked. */
    private readonly applies: boolean,
  ) {}

  /** A message for the manifest when `size` bytes (and a sidecar) cannot fit; null when they may. */
  async refuse(size: number): Promise<string | null> {
    if (!this.applies || this.unavailable) return null;
    const need = size + SIDECAR_ALLOWANCE;
    let q = this.known ?? (await this.read());
    if (!q || q.used + this.since + need <= q.limit) return null;
    if (Date.now() - q.at > FRESH_MS) q = await this.read();
    if (!q) return null;
    const used = q.used + this.since;
    if (used + need <= q.limit) return null;
    const who = this.owner === null ? 'the anonymous storage quota' : `the storage quota of ${this.owner}`;
    return `not downloaded: ${formatBytes(size)} with its provenance file does not fit in ${who} (${formatBytes(q.limit)}; ${formatBytes(used)} used, ${formatBytes(Math.max(0, q.limit - used))} free)`;
  }

  /** Bytes this job stored (a file with its sidecar), or freed (negative). */
  stored(bytes: number): void {
    this.since += bytes;
  }

  /** The owner's numbers now; null when core cannot say (then only its check at write time applies). */
  private read(): Promise<{ used: number; limit: number; at: number } | null> {
    this.asking ??= this.storage
      .quota()
      .then((q) => {
        if (typeof q?.used !== 'number' || typeof q.limit !== 'number' || Number.isNaN(q.used + q.limit)) throw new Error('no numbers');
        this.known = { used: q.used, limit: q.limit, at: Date.now() };
        this.since = 0;
        return this.known;
      })
      .catch(() => {
        this.unavailable = true;
        return null;
      })
      .finally(() => (this.asking = null));
    return this.asking;
  }
}
