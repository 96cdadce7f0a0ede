import picomatch from 'picomatch';
import { JobError } from '@vocloud/sdk';

/** Which files (and folders) of a recursive import to take, by glob patterns on the path below the start. */
export interface PathFilter {
  file(path: string): boolean;
  folder(path: string): boolean;
}

function compile(patterns: readonly string[], name: string): ((p: string) => boolean) | null {
  if (patterns.length === 0) return null;
  try {
    const m = picomatch([...patterns], { dot: true });
    // a pattern without a slash matches a name at any depth, as users expect from "*.fits"
    const bare = patterns.filter((p) => !p.includes('/'));
    const mb = bare.length ? picomatch(bare, { dot: true, basename: true }) : null;
    return (p) => m(p) || (mb !== null && mb(p));
  } catch (err) {
    throw new JobError(`${name}: ${(err as Error).message}`);
  }
}

export function pathFilter(include: readonly string[], exclude: readonly string[]): PathFilter {
  const inc = compile(include, 'include');
  const exc = compile(exclude, 'exclude');
  return {
    file: (p) => (inc === null || inc(p)) && !(exc?.(p) ?? false),
    // a folder is left out when it matches an exclude pattern itself or as a prefix of its contents
    folder: (p) => !(exc !== null && (exc(p) || exc(`${p}/`) || exc(`${p}/x`))),
  };
}
