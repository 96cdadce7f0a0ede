/** Per-unit summaries shared by every result file: hits, class counts, dominant class. */
import type { SomResult } from '../kernel/index.js';

export interface UnitSummary {
  /** Class names in first-seen order ("" never appears; unlabelled samples are not counted). */
  readonly classNames: string[];
  /** counts[k][c]: samples of class c whose BMU is k. */
  readonly classCounts: Int32Array[];
  /** Index into classNames of each unit's most frequent class, or -1. */
  readonly dominant: Int32Array;
  /** Sample indices per unit, closest first. */
  readonly members: Int32Array[];
}

export function summarise(r: SomResult, classes: readonly (string | null)[] | null): UnitSummary {
  const k = r.rows * r.cols;
  const classNames: string[] = [];
  const index = new Map<string, number>();
  if (classes) for (const c of classes) if (c !== null && !index.has(c)) { index.set(c, classNames.length); classNames.push(c); }
  const classCounts = Array.from({ length: k }, () => new Int32Array(classNames.length));
  const lists: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < r.bmu.length; i++) {
    const u = r.bmu[i]!;
    lists[u]!.push(i);
    const c = classes?.[i];
    if (c != null) classCounts[u]![index.get(c)!]++;
  }
  const dominant = new Int32Array(k).fill(-1);
  classCounts.forEach((counts, u) => {
    let best = 0;
    counts.forEach((v, c) => { if (v > best) { best = v; dominant[u] = c; } });
  });
  const members = lists.map((l) => Int32Array.from(l.sort((a, b) => r.bmuDistance[a]! - r.bmuDistance[b]!)));
  return { classNames, classCounts, dominant, members };
}
