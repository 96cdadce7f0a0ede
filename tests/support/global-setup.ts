import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Once per run: (1) collect the names of peer tests that were skipped and print them at the
 * end; (2) make a migrated PGlite data dir dump that every test server starts from (a fresh
 * PGlite runs initdb for ~3 s; loading the dump takes ~0.5 s).
 */
export default async function setup(): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-run-'));
  const log = join(dir, 'skipped.txt');
  process.env.VOCLOUD_PEER_SKIP_LOG = log;

  try {
    const { openDatabase, migrateLatest } = await import('@vocloud/core');
    const db = await openDatabase({});
    await migrateLatest(db);
    const dump = await db.dump!();
    const template = join(dir, 'pglite-template.tar');
    writeFileSync(template, Buffer.from(await dump.arrayBuffer()));
    await db.close();
    process.env.VOCLOUD_PGLITE_TEMPLATE = template;
  } catch (err) {
    console.warn(`could not prepare the PGlite template (tests will run initdb each time): ${(err as Error).message}`);
  }

  return () => {
    if (existsSync(log)) {
      const lines = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
      if (lines.length > 0) {
        console.log(`\nSkipped ${lines.length} peer test(s) — the peer is not installed here:`);
        for (const l of lines) console.log(`  - ${l}`);
        console.log('Set VOCLOUD_REQUIRE_PEERS=1 to make a missing peer fail the run (CI does).\n');
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
