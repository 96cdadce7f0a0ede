import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHdfsStandIn } from '../standins/webhdfs/index.js';
import { startServer, type TestServer } from '../support/server.js';
import { getJob, waitFinal } from '../support/uws.js';

/*
 * The whole server on the WebHDFS backend (against the stand-in): a job with an uploaded file
 * runs (its upload is fetched into the work dir, its results written through WebHDFS), results
 * are served, and the file manager works — so `storage.backend: webhdfs` is a real option.
 */

let standIn: Awaited<ReturnType<typeof startWebHdfsStandIn>>;
let s: TestServer;

beforeAll(async () => {
  standIn = await startWebHdfsStandIn({});
  await standIn.ns.preset('/user/vocloud', 'vocloud');
  s = await startServer({ overrides: { storage: { backend: 'webhdfs', webhdfs: { url: standIn.url, user: 'vocloud', root: '/user/vocloud/storage' } } } });
});
afterAll(async () => {
  await s?.stop();
  await standIn?.close();
});

describe('vocloud on WebHDFS', () => {
  it('runs a job with an upload and serves its results from HDFS', async () => {
    const form = new FormData();
    form.append('input', new Blob(['hdfs bytes']), 'in.txt');
    form.append('PHASE', 'RUN');
    const res = await fetch(`${s.url}/uws/files`, { method: 'POST', body: form, redirect: 'manual' });
    const url = res.headers.get('location')!;
    const job = await waitFinal(url);
    expect(job.phase, job.errorSummary?.message).toBe('COMPLETED');
    expect(await (await fetch(`${url}/results/nested/copy.bin`)).text()).toBe('hdfs bytes');
    expect(await (await fetch(`${url}/parameters/input`)).text()).toBe('hdfs bytes');
    // the bytes went through the datanode, never the namenode
    expect(standIn.requests.some((r) => r.server === 'datanode' && r.op === 'CREATE')).toBe(true);
    expect(standIn.requests.filter((r) => r.server === 'namenode' && r.bodyBytes > 0)).toEqual([]);
    await fetch(url, { method: 'DELETE', redirect: 'manual' });
    expect((await fetch(url)).status).toBe(404);
  });

  it('the file manager lists, uploads and downloads through HDFS', async () => {
    const form = new FormData();
    form.append('file', new Blob(['a spectrum']), 'night1/a.fits');
    expect((await fetch(`${s.url}/api/files/upload?dir=${encodeURIComponent('~/data')}`, { method: 'POST', body: form })).status).toBe(201);
    const list = (await (await fetch(`${s.url}/api/files?path=${encodeURIComponent('~/data/night1')}`)).json()) as any;
    expect(list.entries.map((e: any) => [e.name, e.size])).toEqual([['a.fits', 10]]);
    const part = await fetch(`${s.url}/api/files/download?path=${encodeURIComponent('~/data/night1/a.fits')}`, { headers: { range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('spectrum');
    const avail = await (await fetch(`${s.url}/availability`)).text();
    expect(avail).toContain('storage: ok (webhdfs');
    void getJob;
  });
});
