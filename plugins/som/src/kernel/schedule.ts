/** Decay of the neighbourhood radius and the learning rate over training. */

export type ScheduleKind = 'linear' | 'exponential' | 'inverse-time';

export interface Schedule {
  readonly start: number;
  readonly end: number;
  readonly kind: ScheduleKind;
}

/**
 * The value at step t of T (t = 0 gives `start`, t = T - 1 gives `end`; one step gives `start`).
 * linear: straight line (the reference's radius schedule); exponential: start (end/start)^f;
 * inverse-time: start / (1 + c f) with c chosen so that it reaches `end`.
 */
export function scheduleAt(s: Schedule, t: number, steps: number): number {
  const f = steps > 1 ? t / (steps - 1) : 0;
  switch (s.kind) {
    case 'linear':
      return s.start + (s.end - s.start) * f;
    case 'exponential':
      return s.start * Math.pow(s.end / s.start, f);
    case 'inverse-time':
      return s.start / (1 + (s.start / s.end - 1) * f);
  }
}

/** Check a schedule; exponential and inverse-time need positive ends. */
export function checkSchedule(s: Schedule, what: string): void {
  if (!Number.isFinite(s.start) || !Number.isFinite(s.end)) throw new RangeError(`${what}: start and end must be finite numbers`);
  if (s.kind !== 'linear' && (s.start <= 0 || s.end <= 0)) {
    throw new RangeError(`${what}: a ${s.kind} schedule needs start and end > 0 (got ${s.start} → ${s.end})`);
  }
  if (s.start < 0 || s.end < 0) throw new RangeError(`${what}: must not be negative (got ${s.start} → ${s.end})`);
}
