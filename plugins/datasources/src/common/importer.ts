import { Readable } from 'node:stream';
import { JobError, type JobContext } from '@vocloud/sdk';
import { ItemError, asItemError } from './errors.js';
import { Manifest, type ManifestEntry } from './manifest.js';
import { SIDECAR_SUFFIX, extensionForMime, hasExtension, safeName } from './names.js';
import { Slots, forEachLimited } from './pool.js';
import { provenanceJson, type ProvenanceHints } from './provenance.js';
import { QuotaCheck } from './quota.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { TargetFolder, type Allocation, type ExistingPolicy } from './target.js';
import { newStats, resumingBytes, wholeBytes, type OpenedTransfer, type Transfer } from './transfer.js';
import { formatBytes } from './format.js';

/** One file to import, as a source describes it before fetching. */
export interface ImportItem {
  /** Where the bytes come from, as shown to the user (no credentials). */
  readonly url: string;
  /** Sub-folders below the target (remote names; made safe here). */
  readonly folder: readonly string[];
  /** The remote file name (made safe here), or '' to take it from the response. */
  readonly name: string;
  /** A name to use when neither `name` nor the response gives one (a dataset title). */
  readonly fallbackName?: string | undefined;
  /** Size announced by a listing or the service. */
  readonly size?: number | undefined;
  readonly provenance: ProvenanceHints;
  /** Open the bytes from `offset` (0, or where a cut transfer stopped). */
  open(offset: number, signal: AbortSignal): Promise<OpenedTransfer>;
}

export interface ImportSettings {
  readonly concurrency: number;
  readonly retry: RetryPolicy;
  readonly maxFileSize: number;
  readonly maxTotalSize: number;
  readonly maxItems: number;
  /** Milliseconds without a byte before a transfer is stalled. */
  readonly idleMs: number;
  /** Milliseconds one attempt at one item may take. */
  readonly itemMs: number;
  readonly existing: ExistingPolicy;
}

export interface ImportSummary {
  readonly done: number;
  readonly skipped: number;
  readonly failed: number;
  readonly pending: number;
  readonly bytes: number;
}

/**
 * Items in progress per download slot: while one item's file and sidecar are being stored,
 * the next one downloads. The stores wait on the storage (a writer thread, a remote file
 * system), not on this thread, and holding the slot through them left it idle.
 */
const ITEMS_PER_SLOT = 2;

/**
 * The download path every data source shares: items are fetched with bounded concurrency,
 * streamed into the owner's storage (atomic writes: a failed transfer leaves nothing), retried
 * with backoff, resumed where the server allows; each stored file gets its provenance sidecar;
 * each item's state goes into the manifest. One item's failure never undoes another's import.
 * An item is `done` when its file and its sidecar are both stored.
 */
export class Importer {
  readonly manifest = new Manifest();
  private bytes = 0;
  private started = 0;
  private finished = 0;
  private discovered = 0;
  private discoveryDone = false;
  private totalReached = false;
  /** Smallest file size the quota refused; larger known sizes fail without a transfer. */
  private quotaRefusedAt: { size: number; message: string } | null = null;
  private lastPublish = 0;
  private lastReport = 0;
  private publishing: Promise<void> | null = null;

  private readonly attempts: AttemptSignals;
  private readonly quota: QuotaCheck;
  /** Transfers from the source at once: `concurrency`, what the user and the source's operators see. */
  private readonly downloads: Slots;

  constructor(
    private readonly ctx: JobContext<unknown>,
    private readonly target: TargetFolder,
    private readonly settings: ImportSettings,
  ) {
    this.attempts = new AttemptSignals(ctx.signal);
    this.downloads = new Slots(settings.concurrency);
    // only the owner's own files count against their quota (DATA/ is shared)
    this.quota = new QuotaCheck(ctx.storage, ctx.ownerId, target.root === '~' || target.root.startsWith('~/'));
  }

  /** Import every item; returns when all are done, or the job is aborted. */
  async run(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): Promise<ImportSummary> {
    const counted = this.count(items);
    try {
      await forEachLimited(counted, this.settings.concurrency * ITEMS_PER_SLOT, this.ctx.signal, (item) => this.importOne(item));
    } finally {
      for (const e of this.manifest.entries) if (e.state === 'pending' && this.ctx.signal.aborted) e.error ||= 'not imported: the job was aborted';
      this.report(undefined, true);
      await this.publishNow();
    }
    return this.summary();
  }

  summary(): ImportSummary {
    return {
      done: this.manifest.count('done'),
      skipped: this.manifest.count('skipped'),
      failed: this.manifest.count('failed'),
      pending: this.manifest.count('pending'),
      bytes: this.bytes,
    };
  }

  private async *count(items: AsyncIterable<ImportItem> | Iterable<ImportItem>): AsyncGenerator<ImportItem> {
    for await (const item of items) {
      if (this.discovered >= this.settings.maxItems) {
        this.manifest.notes.push(`stopped at the limit of ${this.settings.maxItems} files per import`);
        break;
      }
      this.discovered++;
      yield item;
    }
    this.discoveryDone = true;
  }

  private async importOne(item: ImportItem): Promise<void> {
    const entry = this.manifest.add(item.url, item.size ?? null);
    this.started++;
    try {
      await this.transfer(item, entry);
    } catch (err) {
      if (this.ctx.signal.aborted) {
        entry.error = 'not imported: the job was aborted';
        return;
      }
      entry.state = 'failed';
      entry.error = asItemError(err).message;
      this.ctx.log.warn(`import of ${item.url} failed: ${entry.error}`);
    } finally {
      this.finished++;
      this.report(item);
    }
  }

  private refuseEarly(item: ImportItem): string | null {
    if (this.totalReached) return `not imported: the import reached its maximum total size of ${formatBytes(this.settings.maxTotalSize)}`;
    if (item.size !== undefined) {
      if (item.size > this.settings.maxFileSize) return `${formatBytes(item.size)} is more than the maximum file size of ${formatBytes(this.settings.maxFileSize)}`;
      if (this.bytes + item.size > this.settings.maxTotalSize) {
        return `not imported: ${formatBytes(item.size)} would pass the import's maximum total size of ${formatBytes(this.settings.maxTotalSize)}`;
      }
      if (this.quotaRefusedAt && item.size >= this.quotaRefusedAt.size) return this.quotaRefusedAt.message;
    }
    return null;
  }

  private async transfer(item: ImportItem, entry: ManifestEntry): Promise<void> {
    const early = this.refuseEarly(item);
    if (early) {
      entry.state = early.startsWith('not imported') ? 'skipped' : 'failed';
      entry.error = early;
      return;
    }
    const folder = await this.target.folder(item.folder);
    let allocation: Allocation | null = null;
    if (item.name) {
      allocation = await this.target.allocate(folder, item.name, item.url, this.settings.existing);
      if (allocation.existing && this.settings.existing === 'skip') return this.skipExisting(entry, allocation);
    }
    // a size from a listing or the service: refused before anything is fetched
    if (item.size !== undefined && !allocation?.existing) {
      const refused = await this.quota.refuse(item.size);
      if (refused) return this.refuseForQuota(entry, refused, item.size);
    }
    await withRetries(this.settings.retry, this.ctx.signal, async () => {
      // the wait for a slot is not part of the attempt's time
      const release = await this.downloads.take();
      const deadline = this.attempts.open(this.settings.itemMs);
      try {
        allocation = await this.attempt(item, entry, folder, allocation, deadline.signal, release);
      } finally {
        deadline.dispose();
        release();
      }
    });
  }

  /**
   * One attempt at one item: open, name it if the source could not, check the quota, stream it
   * into storage, write its sidecar. `release` gives back the download slot: once a body is
   * in memory, its stores need no more of the source.
   */
  private async attempt(item: ImportItem, entry: ManifestEntry, folder: string, known: Allocation | null, attempt: AbortSignal, release: () => void): Promise<Allocation> {
    const opened = await item.open(0, attempt);
    let allocation = known;
    if (!allocation) {
      allocation = await this.target.allocate(folder, responseName(item, opened), item.url, this.settings.existing);
      if (allocation.existing && this.settings.existing === 'skip') {
        opened.stream.destroy();
        this.skipExisting(entry, allocation);
        return allocation;
      }
    }
    // a size the server announced (Content-Length, FTP SIZE): refused before the body is read
    const announced = opened.length !== undefined ? opened.offset + opened.length : undefined;
    if (announced !== undefined && announced !== item.size && !allocation.existing) {
      const refused = await this.quota.refuse(announced);
      if (refused) {
        opened.stream.destroy();
        this.refuseForQuota(entry, refused, announced);
        return allocation;
      }
    }
    const stats = newStats();
    let counted = 0;
    const remaining = this.settings.maxTotalSize - this.bytes;
    const limitByTotal = remaining < this.settings.maxFileSize;
    const total = this.settings.maxTotalSize;
    const maxFile = this.settings.maxFileSize;
    const limits = {
      maxBytes: Math.min(maxFile, remaining),
      // worked out only when a file is refused (it was two formatted sizes per file)
      get maxBytesReason() {
        return limitByTotal
          ? `what is left of the import's maximum total size (${formatBytes(Math.max(0, remaining))} of ${formatBytes(total)})`
          : `the maximum file size of ${formatBytes(maxFile)}`;
      },
      idleMs: this.settings.idleMs,
    };
    const transfer: Transfer = {
      reopen: (offset) => item.open(offset, attempt),
      limits,
      policy: this.settings.retry,
      signal: attempt,
      stats,
      onChunk: (n) => {
        counted += n;
        this.bytes += n;
        this.report(item);
      },
    };
    try {
      // A body announced small is gathered and stored whole: one write instead of a stream
      // (core writes a small whole body in one go; an import is mostly such files).
      const whole = announced !== undefined && announced <= IN_MEMORY_MAX;
      const body = whole ? await wholeBytes(opened, transfer, IN_MEMORY_MAX) : Readable.from(resumingBytes(opened, transfer));
      if (body instanceof Uint8Array) release();
      await this.ctx.storage.write(allocation.path, body, { overwrite: true });
    } catch (err) {
      this.bytes -= counted;
      if (attempt.aborted && !this.ctx.signal.aborted) throw new ItemError(`the transfer took longer than ${this.settings.itemMs / 1000} s`, true);
      throw this.storageOrTransferError(err, stats.bytes, item);
    }
    const size = stats.bytes;
    this.quota.stored(size);
    this.target.written(allocation);
    const sidecar = provenanceJson({
      source: item.url,
      ...(opened.finalUrl && opened.finalUrl !== item.url ? { retrievedFrom: opened.finalUrl } : {}),
      ...item.provenance,
      ...(opened.contentType ? { contentType: opened.contentType } : {}),
      retrieved: new Date().toISOString(),
      size,
      sha256: stats.sha256(),
      job: { id: this.ctx.jobId, type: this.ctx.jobType },
    });
    // Written after the file. A small file's download slot is free by now (ITEMS_PER_SLOT).
    await this.writeSidecar(entry, allocation, sidecar, size, stats.resumes > 0 ? `resumed ${stats.resumes} time(s)` : '');
    return allocation;
  }

  /**
   * The second half of an item: its sidecar. A file whose sidecar cannot be written is taken
   * back (with a stale sidecar of an earlier import it replaced): a file without one would not
   * be recognised by a later run, which would import it again under another name.
   */
  private async writeSidecar(entry: ManifestEntry, allocation: Allocation, sidecar: Buffer, size: number, note: string): Promise<void> {
    const path = `${allocation.path}${SIDECAR_SUFFIX}`;
    try {
      await this.ctx.storage.write(path, sidecar, { overwrite: true });
      this.quota.stored(sidecar.length);
      entry.state = 'done';
      entry.file = allocation.path;
      entry.size = size;
      entry.error = note;
    } catch (err) {
      const message = asItemError(err).message;
      await this.ctx.storage.delete(allocation.path).then(() => this.quota.stored(-size), () => undefined);
      await this.ctx.storage.delete(path).catch(() => undefined);
      this.bytes -= size;
      entry.state = 'failed';
      entry.error = `its provenance file could not be written (${message}); the file was removed`;
      this.ctx.log.warn(`import of ${entry.url} failed: ${entry.error}`);
    }
  }

  private refuseForQuota(entry: ManifestEntry, message: string, size: number): void {
    entry.state = 'failed';
    entry.size = size;
    entry.error = message;
  }

  private skipExisting(entry: ManifestEntry, allocation: Allocation): void {
    entry.state = 'skipped';
    entry.file = allocation.path;
    entry.error = 'imported before from the same source';
  }

  /** Quota and storage refusals are JobErrors from ctx.storage: they fail the item, never the job. */
  private storageOrTransferError(err: unknown, bytes: number, item: ImportItem): ItemError {
    const e = err as Error;
    if (e?.name === 'JobError') {
      const message = e.message;
      if (/quota/i.test(message)) {
        const size = Math.max(bytes, item.size ?? 0);
        if (!this.quotaRefusedAt || size < this.quotaRefusedAt.size) this.quotaRefusedAt = { size, message };
      }
      return new ItemError(message, false);
    }
    const ie = asItemError(err);
    if (/maximum total size/.test(ie.message)) this.totalReached = true;
    return ie;
  }

  /**
   * Progress for the job: called per chunk, so it does its work at most every 250 ms (core
   * forwards a few updates a second anyway) and never walks the manifest more than that.
   */
  private report(item?: ImportItem, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastReport < 250) return;
    this.lastReport = now;
    const known = this.discoveryDone ? this.discovered : Math.max(this.discovered, 1);
    const fraction = this.discoveryDone && known > 0 ? this.finished / known : Math.min(0.99, this.finished / (known + 1));
    const s = this.summary();
    const parts = [`${this.finished}/${this.discoveryDone ? this.discovered : `${this.discovered}+`} files`, formatBytes(this.bytes)];
    if (s.failed) parts.push(`${s.failed} failed`);
    if (s.skipped) parts.push(`${s.skipped} skipped`);
    if (item && this.finished < this.started) parts.push(`now ${item.url.slice(-80)}`);
    this.ctx.progress(Math.max(0, Math.min(1, fraction)), parts.join(', '));
    if (now - this.lastPublish > 10_000 && !this.publishing) {
      this.lastPublish = now;
      this.publishing = this.manifest.publish(this.ctx.results).catch(() => undefined).finally(() => (this.publishing = null));
    }
  }

  /** The final manifest. After an abort a server keeps no new results (the harness does): the last one written stays. */
  private async publishNow(): Promise<void> {
    if (this.publishing) await this.publishing;
    await this.manifest.publish(this.ctx.results).catch((err: unknown) => {
      if (!this.ctx.signal.aborted) throw err;
    });
  }
}

/** Files announced at most this size are gathered in memory and stored in one write. */
export const IN_MEMORY_MAX = 1024 * 1024;

/** The name of an item whose source gave none: the server's suggestion, else the fallback, with an extension from the type. */
function responseName(item: ImportItem, opened: OpenedTransfer): string {
  const suggested = opened.suggestedName ?? '';
  let name = suggested && hasExtension(suggested) ? suggested : item.fallbackName || suggested || 'dataset';
  if (!hasExtension(name)) name += extensionForMime(opened.contentType ?? item.provenance.format);
  return safeName(name, 'dataset');
}

/** End the job in ERROR when nothing at all could be imported; otherwise it completes. */
export function checkOutcome(summary: ImportSummary, manifest: Manifest, what: string): string {
  const total = summary.done + summary.skipped + summary.failed + summary.pending;
  if (total === 0) return `${what}: nothing to import`;
  if (summary.done + summary.skipped === 0 && summary.failed > 0) {
    const first = manifest.entries.find((e) => e.state === 'failed');
    throw new JobError(
      `${what}: none of the ${summary.failed} file(s) could be imported; the first error: ${first?.error ?? 'unknown'}. See the manifest result for each file.`,
    );
  }
  return `${what}: ${summary.done} imported (${formatBytes(summary.bytes)}), ${summary.skipped} skipped, ${summary.failed} failed`;
}

/**
 * Signals of attempts: each aborts when its deadline passes or the job's signal fires. One
 * listener on the job's signal serves them all (a listener per attempt would pile up on it),
 * and a plain controller with one timer costs less per file than AbortSignal.any/timeout.
 */
class AttemptSignals {
  private readonly active = new Set<AbortController>();

  constructor(private readonly job: AbortSignal) {
    job.addEventListener('abort', () => {
      for (const c of this.active) c.abort(job.reason);
    }, { once: true });
  }

  open(ms: number): { signal: AbortSignal; dispose(): void } {
    const c = new AbortController();
    if (this.job.aborted) c.abort(this.job.reason);
    this.active.add(c);
    const timer = setTimeout(() => c.abort(new Error(`the attempt took longer than ${ms / 1000} s`)), ms);
    return {
      signal: c.signal,
      dispose: () => {
        clearTimeout(timer);
        this.active.delete(c);
      },
    };
  }
}
