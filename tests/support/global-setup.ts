import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Collects the names of peer tests that were skipped, and prints them once at the end. */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'vocloud-peers-'));
  const log = join(dir, 'skipped.txt');
  process.env.VOCLOUD_PEER_SKIP_LOG = log;
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
