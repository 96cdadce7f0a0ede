/**
 * A problem with one of KOREL's input files. The message names the file and, when it is about
 * one place, the line (1-based), so a user can fix the file without guessing.
 */
export class KorelInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly detail: string,
  ) {
    super(line === null ? `${file}: ${detail}` : `${file}, line ${line}: ${detail}`);
    this.name = 'KorelInputError';
  }
}

/** A file that is there but cannot be read (rights, I/O, gone since it was named), by name. */
export function unreadable(name: string, err: unknown): KorelInputError {
  return new KorelInputError(name, null, `the file cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
}
