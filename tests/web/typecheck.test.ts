// The web UI is built by Vite, which strips types without checking them: this is where its
// TypeScript (strict) is checked, so a type error fails the test run instead of reaching users.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/server.js';

describe('the web UI sources', () => {
  it('type-check under strict TypeScript', () => {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(REPO, 'web', 'tsconfig.json')], { encoding: 'utf8', timeout: 55_000 });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
