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
