import type { Readable } from 'node:stream';

/** One file or folder in a storage backend. Paths are storage paths (see `storagePath`). */
export interface StorageEntry {
  readonly path: string;
  readonly name: string;
  readonly type: 'file' | 'directory';
  /** Bytes; 0 for directories. */
  readonly size: number;
  readonly modified: Date;
}

export interface ListOptions {
  readonly offset?: number;
  readonly limit?: number;
  readonly sortBy?: 'name' | 'size' | 'modified';
  readonly order?: 'asc' | 'desc';
  /**
   * Leave out names ending with this, from the pages and the total (the file manager hides
   * provenance sidecars this way, so its pages are full and its counts right).
   */
  readonly hideSuffix?: string;
}

export interface ListPage {
  readonly entries: readonly StorageEntry[];
  /** All entries in the folder (but those hidden by `hideSuffix`), not only this page. */
  readonly total: number;
}

export interface ReadOptions {
  /** First byte, inclusive. */
  readonly start?: number;
  /** Last byte, inclusive (as in HTTP ranges). */
  readonly end?: number;
}

export interface WriteOptions {
  /**
   * Replace an existing file (default true). With `false`, an existing name is refused with
   * StorageError 'exists' before any of the body is read, so the caller can still use it.
   */
  readonly overwrite?: boolean;
}

/** Raised by backends; `code` lets core map it to an HTTP status in one place. */
export class StorageError extends Error {
  constructor(
    readonly code: 'not-found' | 'exists' | 'not-a-directory' | 'is-a-directory' | 'invalid-path' | 'io',
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/**
 * Where files live: job results, uploads, user spaces. Every method takes storage paths that
 * went through `storagePath()`; writes are atomic (a reader never sees half a file).
 */
export interface StorageBackend {
  /** 'local', 'webhdfs', … */
  readonly kind: string;
  stat(path: string): Promise<StorageEntry | null>;
  list(path: string, options?: ListOptions): Promise<ListPage>;
  read(path: string, options?: ReadOptions): Promise<Readable>;
  write(path: string, source: Readable | AsyncIterable<Uint8Array> | Uint8Array, options?: WriteOptions): Promise<StorageEntry>;
  mkdir(path: string): Promise<void>;
  move(from: string, to: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  /** Delete a file, or a folder with everything in it. Deleting what is not there is not an error. */
  delete(path: string): Promise<void>;
  /** Total bytes of the files under `path`. */
  usage(path: string): Promise<number>;
  /** Check that the backend can be reached and written (for VOSI availability). */
  check(): Promise<void>;
  /**
   * For backends on a local (or mounted) file system: the OS path of a storage path, so an
   * executor can move a file in instead of copying it. Other backends return null.
   */
  localPath(path: string): string | null;
}
