import { spawnSync } from 'node:child_process';
import { appendFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Real peers (pyvo, astropy, xmllint, PostgreSQL, FTP servers, Chromium…) come from Debian
 * packages. On a user's machine a test whose peer is missing is skipped and named at the end
 * of the run with the package that enables it; with VOCLOUD_REQUIRE_PEERS=1 (CI) a missing
 * peer fails the run instead.
 */
export const REQUIRE_PEERS = process.env.VOCLOUD_REQUIRE_PEERS === '1';

export interface Peer {
  /** What the tests need, e.g. 'pyvo 1.2.1'. */
  readonly name: string;
  /** The Debian package(s) that provide it. */
  readonly install: string;
  /** True when the peer is usable here. */
  readonly available: boolean;
  readonly why?: string;
}

function probe(cmd: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

const cache = new Map<string, Peer>();

function peer(name: string, install: string, check: () => { ok: boolean; out: string }): Peer {
  const hit = cache.get(name);
  if (hit) return hit;
  const r = check();
  const p: Peer = { name, install, available: r.ok, ...(r.ok ? {} : { why: r.out.split('\n').slice(-1)[0] }) };
  cache.set(name, p);
  return p;
}

/** /usr/bin/python3 importing a module: Debian's python, not the pyenv one on PATH. */
export function pythonModule(module: string, install: string): Peer {
  return peer(`python3 ${module}`, install, () => probe('/usr/bin/python3', ['-c', `import ${module}`]));
}

export const peers = {
  pyvo: () => pythonModule('pyvo', 'python3-pyvo'),
  astropy: () => pythonModule('astropy', 'python3-astropy'),
  numpy: () => pythonModule('numpy', 'python3-numpy libopenblas0-pthread python3-threadpoolctl'),
  scipy: () => pythonModule('scipy', 'python3-scipy'),
  pyftpdlib: () => pythonModule('pyftpdlib', 'python3-pyftpdlib'),
  xmllint: () => peer('xmllint', 'libxml2-utils', () => probe('xmllint', ['--version'])),
  chromium: () => peer('chromium', 'chromium', () => probe('/usr/bin/chromium', ['--version'])),
  openssl: () => peer('openssl', 'openssl', () => probe('openssl', ['version'])),
  postgres: () =>
    peer('PostgreSQL at 127.0.0.1:5432', 'postgresql (server running, trust auth for user postgres)', () =>
      probe('pg_isready', ['-h', process.env.PGHOST ?? '127.0.0.1', '-p', process.env.PGPORT ?? '5432']),
    ),
};

/**
 * Decide whether a peer test runs. Use as `describe.skipIf(!needPeer(peers.pyvo(), 'pyvo drives a job'))`.
 * Throws (failing the file) when the peer is missing and CI requires peers.
 */
export function needPeer(p: Peer, testName: string): boolean {
  if (p.available) return true;
  const line = `${testName}: needs ${p.name} — install Debian package(s): ${p.install}${p.why ? ` (${p.why})` : ''}`;
  if (REQUIRE_PEERS) throw new Error(`VOCLOUD_REQUIRE_PEERS=1 and a peer is missing. ${line}`);
  const log = process.env.VOCLOUD_PEER_SKIP_LOG;
  if (log) appendFileSync(log, `${line}\n`);
  return false;
}

/**
 * Decide whether a test that writes `bytes` to the temporary folder runs: like a peer, it is
 * skipped and named where the disk has less room (and fails the run under REQUIRE_PEERS).
 */
export function needDisk(bytes: number, testName: string): boolean {
  const fs = statfsSync(tmpdir());
  const free = fs.bavail * fs.bsize;
  if (free >= bytes) return true;
  const line = `${testName}: needs ${(bytes / 2 ** 30).toFixed(1)} GiB free in ${tmpdir()} (has ${(free / 2 ** 30).toFixed(1)} GiB; set TMPDIR to a roomier disk)`;
  if (REQUIRE_PEERS) throw new Error(`VOCLOUD_REQUIRE_PEERS=1 and the disk is too small. ${line}`);
  const log = process.env.VOCLOUD_PEER_SKIP_LOG;
  if (log) appendFileSync(log, `${line}\n`);
  return false;
}
