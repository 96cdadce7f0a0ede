// The kernel threads run the very backend the calling thread packs weights for. A copy of the
// built kernel loses its native binary after the calling thread loaded it (as when `npm run
// build` recompiles it while a server or a test runs): threads left to choose for themselves
// would run the WebAssembly kernel on native-packed weights and return a wrong map silently.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeUnavailableReason } from '@vocloud/plugin-som/kernel';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const copy = mkdtempSync(join(tmpdir(), 'vocloud-som-kernel-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

describe.skipIf(nativeUnavailableReason() !== '')('a native kernel that disappears while training starts', () => {
  it('fails the training with the reason instead of mixing kernels', async () => {
    for (const dir of ['kernel', 'native', 'wasm']) cpSync(join(dist, dir), join(copy, dir), { recursive: true });
    writeFileSync(join(copy, 'package.json'), '{"type": "module"}');
    const som = (await import(pathToFileURL(join(copy, 'kernel', 'index.js')).href)) as typeof import('@vocloud/plugin-som/kernel');
    const pool = (await import(pathToFileURL(join(copy, 'kernel', 'pool.js')).href)) as { KernelPool: { start(b: string, t?: number): Promise<{ backendLabel: string; close(): Promise<void> }> } };
    const n = 64, d = 16;
    const x = new Float32Array(n * d).map((_, i) => Math.sin(i));
    expect((await som.trainSom(x, n, d, { rows: 2, cols: 2, epochs: 1 })).backend).toMatch(/^native-/);

    rmSync(join(copy, 'native'), { recursive: true });
    // the situation: this thread keeps its native kernel, a new thread finds none
    expect(som.selectBackend().label).toMatch(/^native-/);
    const fresh = await pool.KernelPool.start('auto', 1);
    expect(fresh.backendLabel).not.toMatch(/^native-/);
    await fresh.close();

    await expect(som.trainSom(x, n, d, { rows: 2, cols: 2, epochs: 1 })).rejects.toThrow(/the native SOM kernel is not available/);
  });
});
