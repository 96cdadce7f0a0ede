// What the figures were measured on: cores, CPU, memory, Node, vocloud, PGlite and PostgreSQL.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { postgresVersion } from './databases.mjs';

const require = createRequire(import.meta.url);

function packageVersion(name) {
  // Packages need not export package.json; find it from their main entry instead.
  const entry = require.resolve(name);
  const marker = `/node_modules/${name}/`;
  const at = entry.lastIndexOf(marker);
  return JSON.parse(readFileSync(entry.slice(0, at + marker.length) + 'package.json', 'utf8')).version;
}

/** @param {{ coreDir?: string, pgUrl?: string }} options  pgUrl when PostgreSQL is used */
export async function describeMachine({ coreDir, pgUrl }) {
  const corePackage = coreDir ? join(coreDir, 'package.json') : require.resolve('@vocloud/core/package.json');
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    vocloud: JSON.parse(readFileSync(corePackage, 'utf8')).version,
    pglite: packageVersion('@electric-sql/pglite'),
    postgres: pgUrl ? await postgresVersion(pgUrl) : null,
  };
}
