import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolvePluginExport, type DataSourceDefinition } from '@vocloud/sdk';
import { localJobStorage, runWorkerForTest } from '@vocloud/sdk/testing';
import plugin from '../src/index.js';

/*
 * Server folders are for administrators only: the job and its preview refuse any other role
 * with a clear error (core's `restricted` lets managers create the job; the plugin stops it).
 */

async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'ds-roots-'));
  await writeFile(join(root, 'a.fits'), 'SIMPLE  =                    T');
  const def = resolvePluginExport(plugin, { serverRoots: [root] }, 'test').find((t) => t.name === 'serverdir') as DataSourceDefinition;
  return { root, def };
}

const noop = () => undefined;
const log = { debug: noop, info: noop, warn: noop, error: noop };

describe('serverdir roles', () => {
  it('a manager\'s or a user\'s job ends in ERROR naming the rule; an admin\'s imports', async () => {
    const { root, def } = await setup();
    for (const role of ['manager', 'user', 'anonymous'] as const) {
      const r = await runWorkerForTest(def, { path: root, target: '~/x' }, { ownerId: role === 'anonymous' ? null : 'mona', ownerRole: role });
      expect(r.phase).toBe('ERROR');
      expect(r.error).toMatch(/^serverdir: only administrators may import from server folders \(you are (a manager|a user|not logged in)\)/);
    }
    const storageRoot = await mkdtemp(join(tmpdir(), 'ds-admin-'));
    const ok = await runWorkerForTest(def, { path: root, target: '~/x' }, { ownerId: 'root', ownerRole: 'admin', storageRoot });
    expect(ok.phase).toBe('COMPLETED');
    expect(await readFile(join(storageRoot, 'home', 'x', 'a.fits'), 'utf8')).toMatch(/^SIMPLE/);
  });

  it('the preview refuses a manager and shows an admin the roots', async () => {
    const { root, def } = await setup();
    const storage = localJobStorage(await mkdtemp(join(tmpdir(), 'ds-prev-')));
    const ctx = (ownerRole: 'manager' | 'admin') => ({ ownerId: 'mona', ownerRole, parameters: {}, signal: new AbortController().signal, log, storage });
    await expect(def.preview!(ctx('manager'))).rejects.toThrow(/only administrators may import from server folders \(you are a manager\)/);
    expect(await def.preview!(ctx('admin'))).toMatchObject({ roots: [expect.stringContaining(root.split('/').pop()!)] });
  });
});
