import { linkSync, lstatSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';

/*
 * The system calls of one small atomic write, without the event loop: a temporary file written
 * whole and put in place. Run in the writer thread (small-file-thread.ts); the local backend's
 * general path shares the errno helpers.
 */

/** Where hard links are refused (FAT, some FUSE and SMB mounts), a rename after the check is the best there is. */
export const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK']);

export function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** EEXIST as the file system says it, for a name found taken by a look. */
export function taken(full: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, '${full}'`), { code: 'EEXIST' });
}

function placeFileSync(tmp: string, full: string, noReplace: boolean): void {
  if (noReplace) {
    try {
      linkSync(tmp, full);
      unlinkSync(tmp);
      return;
    } catch (err) {
      if (!NO_HARD_LINKS.has(errno(err) ?? '')) throw err;
    }
    if (lstatSync(full, { throwIfNoEntry: false })) throw taken(full);
  }
  renameSync(tmp, full);
}

/** 'general': the caller's general path must decide (a symlink at the name, a name taken). */
export type SmallWriteOutcome = 'written' | 'general';

/**
 * Write `body` to `tmp` (O_EXCL) and put it at `full`. A new file (noReplace) needs no look at
 * the name: it is linked into place, which fails with EEXIST on any existing name, and the
 * general path then says what is there. A replacement looks first, so a symlink is never
 * silently replaced here. Throws the file system's error otherwise, leaving no temporary file.
 */
export function writeSmallFileSync(tmp: string, full: string, body: Uint8Array, noReplace: boolean): SmallWriteOutcome {
  if (!noReplace) {
    try {
      if (lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) return 'general';
    } catch {
      return 'general'; // ENOTDIR and the like: the general path says what is wrong
    }
  }
  let written = false;
  try {
    writeFileSync(tmp, body, { flag: 'wx' });
    written = true;
    placeFileSync(tmp, full, noReplace);
  } catch (err) {
    // EEXIST before the write: O_EXCL refused the temporary name, which is not ours to remove.
    if (written || errno(err) !== 'EEXIST') rmSync(tmp, { force: true });
    if (written && noReplace && errno(err) === 'EEXIST') return 'general';
    throw err;
  }
  return 'written';
}
