#!/usr/bin/env node
/**
 * `node …/plugin-korel/dist/external/main.js --korel=/opt/korel/korel --result-dir={resultDir} --dat={dat} --par={parFile} …`
 * The program a `command` job type runs for KOREL's external mode (see docs/plugins/korel.md).
 * Exits with KOREL's exit code; 2 for a usage or input error.
 */
import { parseExternalArgs, runExternalKorel } from './run-external.js';

try {
  const r = await runExternalKorel(parseExternalArgs(process.argv.slice(2), process.cwd()));
  process.stdout.write(`korel finished (${r.signal ? `signal ${r.signal}` : `exit code ${r.exitCode}`}); outputs: ${r.outputs.join(', ') || 'none'}\n`);
  if (r.exitCode !== 0) {
    process.stderr.write(`the KOREL binary ${r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}; see korel.stderr.txt\n`);
    process.exitCode = r.exitCode ?? 1;
  }
} catch (err) {
  process.stderr.write(`korel-external: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
