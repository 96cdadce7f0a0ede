/**
 * Radial velocities of up to five stars in KOREL's hierarchy ((1,2),(3,4)),5 from the orbital
 * elements of its four orbits, with the light-time effect of the outer orbits on the inner ones.
 *
 * Orbit o = 0: stars 1–2; o = 1: stars 3–4; o = 2: pair (1,2) around pair (3,4);
 * o = 3: the quadruple around star 5. An orbit with P = 0 is absent (contributes nothing).
 * Elements per orbit (KOREL's numbering 1..11): P, T0 (periastron), e, ω, K1, q = M2/M1,
 * dω/dt, dP/dt, de/dt, dK1/dt, dq/dt — angles here in radians (korel.par has degrees).
 */

export const C_KMS = 299792.458;
export const ORBITS = 4;
export const ELEMENTS_PER_ORBIT = 11;

export const ELEMENT_LABELS = [
  'PERIOD', 'PERIASTRON EPOCH', 'ECCENTRICITY', 'PERIASTRON LONG.', 'K1', 'q = M2/M1',
  'd omega/dt', 'd P/dt', 'd e/dt', 'd K1/dt', 'd q/dt',
] as const;

/** Index of element j (1..11) of orbit o (0..3) in an elements array. */
export function elementIndex(orbit: number, j: number): number {
  return orbit * ELEMENTS_PER_ORBIT + (j - 1);
}

/** Elements 4 (ω) and 7 (dω/dt) are angles: degrees in korel.par, radians inside. */
export function isAngle(j: number): boolean {
  return j === 4 || j === 7;
}

/** Eccentric anomaly from the mean anomaly by Newton's method; valid for 0 ≤ e < 1. */
export function eccentricAnomaly(meanAnomaly: number, e: number): number {
  const twoPi = 2 * Math.PI;
  let m = meanAnomaly - twoPi * Math.floor(meanAnomaly / twoPi + 0.5); // (−π, π]
  if (e === 0) return m;
  // Danby's starting value converges for every e < 1.
  let E = m + 0.85 * e * (Math.sin(m) >= 0 ? 1 : -1);
  for (let i = 0; i < 60; i++) {
    const f = E - e * Math.sin(E) - m;
    const d = f / (1 - e * Math.cos(E));
    E -= d;
    if (Math.abs(d) < 1e-15) break;
  }
  return E;
}

export function trueAnomaly(meanAnomaly: number, e: number): number {
  const E = eccentricAnomaly(meanAnomaly, e);
  return 2 * Math.atan2(Math.sqrt(1 + e) * Math.sin(E / 2), Math.sqrt(1 - e) * Math.cos(E / 2));
}

/** One orbit at one time: velocity of its primary, light-time delay of the primary, mass ratio. */
interface OrbitState {
  y: number;
  delay: number;
  q: number;
  valid: boolean;
}

function orbitAt(el: ArrayLike<number>, o: number, t: number, s: OrbitState): void {
  const b = o * ELEMENTS_PER_ORBIT;
  const P = el[b]!;
  s.y = 0;
  s.delay = 0;
  s.q = 1;
  s.valid = true;
  if (P === 0) return;
  const tau = t - el[b + 1]!;
  const n = tau / P;
  // Period changing linearly in time: phase = n − (dP/dt) n² / 2.
  const M = Math.PI * n * (2 - el[b + 7]! * n);
  const om = el[b + 3]! + el[b + 6]! * tau;
  const e = el[b + 2]! + el[b + 8]! * tau;
  const K = el[b + 4]! + el[b + 9]! * tau;
  s.q = el[b + 5]! + el[b + 10]! * tau;
  if (!(P > 0) || !(e >= 0 && e < 1) || !Number.isFinite(M)) {
    s.valid = false;
    return;
  }
  const nu = trueAnomaly(M, e);
  s.y = K * (Math.cos(om + nu) + e * Math.cos(om));
  // Distance of the primary behind the centre of mass over c, in the unit of P (days).
  s.delay = (P * K * Math.pow(1 - e * e, 1.5) * Math.sin(om + nu)) / (1 + e * Math.cos(nu)) / (2 * Math.PI * C_KMS);
}

const o0: OrbitState = { y: 0, delay: 0, q: 1, valid: true };
const o1: OrbitState = { y: 0, delay: 0, q: 1, valid: true };
const o2: OrbitState = { y: 0, delay: 0, q: 1, valid: true };
const o3: OrbitState = { y: 0, delay: 0, q: 1, valid: true };

// The partner of a moving primary moves by −y/q; NaN flags a mass ratio that is not positive.
function secondary(y: number, q: number): number {
  if (y === 0) return 0;
  return q > 0 ? -y / q : Number.NaN;
}

/**
 * Velocities (km/s) of stars 1..5 at time t into out[0..4]. Returns false when an orbit's
 * elements are outside their domain (P < 0, e ∉ [0, 1)); a star whose velocity needs a mass
 * ratio q ≤ 0 gets NaN.
 */
export function starVelocities(el: ArrayLike<number>, t: number, out: Float64Array): boolean {
  orbitAt(el, 3, t, o3);
  orbitAt(el, 2, t - o3.delay, o2);
  orbitAt(el, 1, t - o3.delay + (o2.y === 0 || !(o2.q > 0) ? 0 : o2.delay / o2.q), o1);
  orbitAt(el, 0, t - o3.delay - o2.delay, o0);
  if (!o0.valid || !o1.valid || !o2.valid || !o3.valid) return false;
  out[0] = o3.y + o2.y + o0.y;
  out[1] = o3.y + o2.y + secondary(o0.y, o0.q);
  out[2] = o3.y + secondary(o2.y, o2.q) + o1.y;
  out[3] = o3.y + secondary(o2.y, o2.q) + secondary(o1.y, o1.q);
  out[4] = secondary(o3.y, o3.q);
  return true;
}
