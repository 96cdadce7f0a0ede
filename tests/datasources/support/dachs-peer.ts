import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Peer } from '../../support/peers.js';
import { freePort } from '../../support/ports.js';

/*
 * GAVO DaCHS (Debian package `gavodachs2-server`) as a real SSAP + DataLink + SODA service on
 * loopback. Each start is a DaCHS of its own: a root folder and a settings file
 * (GAVOSETTINGS) in a temporary folder, a fresh database on the PostgreSQL server at
 * 127.0.0.1:5432 that `dachs init` fills, the RD in ./dachs/q.rd (and a variant, madeOnRequest) with the test's spectra, `dachs
 * imp`, then `dachs serve debug` (foreground) on a free port. stop() ends the server and drops
 * the database and the folder.
 *
 * DaCHS needs the pg_sphere extension. Debian bookworm's postgresql-15-pgsphere 1.1.1 cannot
 * be created on PostgreSQL 15 releases that check operator commutators (pgsphere issue 85:
 * "commutator operator @> is already the commutator of operator <@", from two compatibility
 * operators DaCHS no longer uses); .ci/run removes them from the extension script, as pgsphere
 * 1.4 did upstream. The probe below says so when it finds the extension broken.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: process.env.PGPORT ?? '5432', user: 'postgres' };

function psql(database: string, sql: string): { ok: boolean; out: string } {
  const r = spawnSync('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', database, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8', timeout: 30_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? `psql: ${r.error.message}` : ''}`.trim() };
}

/** The DaCHS peer for needPeer(): `dachs` runs, PostgreSQL answers and pg_sphere can be created. */
export function dachsPeer(): Peer {
  const name = 'GAVO DaCHS with PostgreSQL at 127.0.0.1:5432';
  const install = 'gavodachs2-server postgresql (see .ci/run for the pg_sphere fix)';
  const version = spawnSync('dachs', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (version.status !== 0) return { name, install, available: false, why: `dachs --version: ${version.error?.message ?? version.stderr}`.trim() };
  // transactional DDL: the probe leaves nothing behind
  const sphere = psql('postgres', 'BEGIN; CREATE EXTENSION IF NOT EXISTS pg_sphere; ROLLBACK;');
  if (!sphere.ok) return { name, install, available: false, why: `CREATE EXTENSION pg_sphere failed: ${sphere.out.split('\n').slice(-1)[0]}` };
  return { name, install, available: true };
}

export interface DachsPeer {
  /** http://127.0.0.1:port */
  readonly url: string;
  /** The SSAP endpoint (`…/vcspec/q/ssa/ssap.xml`). */
  readonly ssap: string;
  /** The same spectra from an SSAP service that makes each dataset on request (`…/vcspecdl/dl/ssa/ssap.xml`, see madeOnRequest). */
  readonly ssapDatalink: string;
  /** The IVOA authority of the publisher DIDs. */
  readonly authority: string;
  /** The folder DaCHS serves the spectra from (`getproduct/vcspec/data/<name>`). */
  readonly dataDir: string;
  /** What DaCHS printed while serving (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, cwd, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-8).join('\n')}`);
}

/** Resolves when `url` answers 200; rejects when the process exits first or after 60 s. */
async function answering(child: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dachs serve exited with ${child.exitCode ?? child.signalCode}: ${output().trim()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`dachs serve did not answer ${url} within 60 s: ${output().trim()}`);
}

/**
 * q.rd as DaCHS's SSAP+DataLink template (`dachs start ssap+datalink`) publishes spectra: each
 * dataset is made on request. An SSAP row's access reference is still
 * /getproduct/vcspecdl/data/<name>.fits, but products#define points it (path=\fullDLURL) at the
 * DataLink service's dlget, which answers with the spectrum as an SDM VOTable (the row's format,
 * application/x-votable+xml): getproduct redirects there.
 */
function madeOnRequest(rd: string): string {
  const swaps: [string, string][] = [
    ['<resource schema="vcspec" ', '<resource schema="vcspecdl" '],
    ['<bind key="mime">"image/fits"</bind>', '<bind key="path">\\fullDLURL{sdl}</bind><bind key="fsize">20000</bind><bind key="mime">"application/x-votable+xml"</bind>'],
    ['<meta name="shortName">vcspec SSAP</meta>', '<meta name="shortName">vcspecdl SSAP</meta>'],
  ];
  return swaps.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`q.rd has no ${from}: update madeOnRequest in dachs-peer.ts`);
    return text.replace(from, to);
  }, rd);
}

/** Publish `spectra` (file name → FITS bytes) through a DaCHS of their own and serve them. */
export async function startDachs(spectra: ReadonlyMap<string, Uint8Array>): Promise<DachsPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-dachs-'));
  // DaCHS's server may change to its own user (gavo) to serve: the tree must be readable
  chmodSync(dir, 0o755);
  const database = `vocloud_dachs_${process.pid}_${Date.now().toString(36)}`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const authority = 'vocloud.test';
  const root = join(dir, 'root');
  const settings = join(dir, 'gavo.rc');
  writeFileSync(settings, `[general]\nrootDir: ${root}\n\n[web]\nbindAddress: 127.0.0.1\nserverPort: ${port}\nserverURL: ${url}\n\n[ivoa]\nauthority: ${authority}\n`);
  const env = { ...process.env, GAVOSETTINGS: settings };
  let child: ChildProcess | undefined;
  let output = '';
  const stop = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    psql('postgres', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const created = psql('postgres', `CREATE DATABASE ${database}`);
    if (!created.ok) throw new Error(`CREATE DATABASE ${database}: ${created.out}`);
    run('dachs', ['init', '-d', `host=${PG.host} port=${PG.port} user=${PG.user} dbname=${database}`], env);
    const resdir = join(root, 'inputs', 'vcspec');
    const rd = readFileSync(join(HERE, 'dachs', 'q.rd'), 'utf8');
    for (const [schema, name, text] of [['vcspec', 'q', rd], ['vcspecdl', 'dl', madeOnRequest(rd)]] as const) {
      const d = join(root, 'inputs', schema);
      mkdirSync(join(d, 'data'), { recursive: true });
      writeFileSync(join(d, `${name}.rd`), text);
      for (const [file, bytes] of spectra) writeFileSync(join(d, 'data', file), bytes);
      run('dachs', ['imp', name], env, d);
    }
    child = spawn('dachs', ['serve', 'debug'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    const ssap = `${url}/vcspec/q/ssa/ssap.xml`;
    await answering(child, `${ssap}?REQUEST=queryData&FORMAT=METADATA`, () => output);
    return { url, ssap, ssapDatalink: `${url}/vcspecdl/dl/ssa/ssap.xml`, authority, dataDir: join(resdir, 'data'), log: () => output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
