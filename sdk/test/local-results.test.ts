import { mkdtemp, readdir, rm, symlink, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { pbkdf2 } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { streamToNewFile, writeLocalFile } from '@vocloud/sdk';

/*
 * Writing a stream to a local file: a source that fails leaves nothing behind (not even a
 * temporary file whose open was still pending when the copy failed), and a name that exists
 * is refused rather than written through.
 */

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'sdk-local-results-'));
  dirs.push(d);
  return d;
}

/** A source that fails at its first read, so the copy fails while the file is still being opened. */
function failingAtOnce(): Readable {
  return new Readable({
    read() {
      this.destroy(new Error('the remote server hung up'));
    },
  });
}

describe('writeLocalFile', () => {
  it('leaves no file, temporary or final, when the source fails at once', async () => {
    const dir = await tempDir();
    for (let i = 0; i < 50; i++) {
      await expect(writeLocalFile(join(dir, `f${i}.fits`), failingAtOnce())).rejects.toThrow('the remote server hung up');
    }
    await sleep(50); // an open still in flight would have created its file by now
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes a stream atomically and returns its size', async () => {
    const dir = await tempDir();
    const size = await writeLocalFile(join(dir, 'a.txt'), Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    expect(size).toBe(11);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('hello world');
    expect(await readdir(dir)).toEqual(['a.txt']);
  });
});

describe('streamToNewFile', () => {
  it('settles only once the file is closed: nothing happens at the path after a failure', async () => {
    // With libuv's pool busy the file's open waits; a copy that gave up before the open finished
    // would let the file appear after the caller had cleaned up.
    const dir = await tempDir();
    const busy = Array.from({ length: 4 }, () => new Promise((res) => pbkdf2('x', 'y', 60_000, 32, 'sha256', res)));
    const seen: [boolean, boolean][] = [];
    const paths = Array.from({ length: 5 }, (_, i) => join(dir, `f${i}`));
    for (const p of paths) {
      await expect(streamToNewFile(failingAtOnce(), p)).rejects.toThrow('the remote server hung up');
      seen.push([existsSync(p), false]);
    }
    await Promise.all(busy);
    await sleep(50);
    paths.forEach((p, i) => (seen[i]![1] = existsSync(p)));
    for (const [atFailure, later] of seen) expect(later).toBe(atFailure);
  });

  it('refuses a name that exists, and a symlink planted at it, without writing through', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'taken'), 'old');
    await expect(streamToNewFile(Readable.from([Buffer.from('new')]), join(dir, 'taken'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(join(dir, 'taken'), 'utf8')).toBe('old');
    const outside = join(await tempDir(), 'victim');
    await writeFile(outside, 'keep');
    await symlink(outside, join(dir, 'planted'));
    await expect(streamToNewFile(Readable.from([Buffer.from('new')]), join(dir, 'planted'))).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(outside, 'utf8')).toBe('keep');
  });
});
