import { formBody, jobFromXml, type UwsJobView } from '../../support/uws.js';

/** A user of a test server, as the import tests drive it over HTTP. */
export class ImportClient {
  constructor(
    readonly base: string,
    readonly headers: Record<string, string>,
  ) {}

  /** Create a job with PHASE=RUN and wait for its end; the manifest rows come along. */
  async run(type: string, form: Record<string, string | number | (string | number)[]> | FormData): Promise<{ url: string; job: UwsJobView; rows: Record<string, string>[]; status: number; text: string }> {
    let body: URLSearchParams | FormData;
    if (form instanceof FormData) {
      form.append('PHASE', 'RUN');
      body = form;
    } else body = formBody({ ...form, PHASE: 'RUN' });
    const res = await fetch(`${this.base}/uws/${type}`, { method: 'POST', headers: this.headers, body, redirect: 'manual' });
    if (res.status !== 303) return { url: '', job: undefined as never, rows: [], status: res.status, text: await res.text() };
    const url = res.headers.get('location')!;
    const end = Date.now() + 90_000;
    for (;;) {
      const job = jobFromXml(await (await fetch(`${url}?WAIT=5`, { headers: this.headers })).text());
      if (['COMPLETED', 'ERROR', 'ABORTED'].includes(job.phase)) {
        const manifest = await this.result(url, 'manifest.csv');
        return { url, job, rows: manifestRows(manifest), status: 303, text: manifest };
      }
      if (Date.now() > end) throw new Error(`job ${url} still ${job.phase}`);
    }
  }

  async result(jobUrl: string, name: string): Promise<string> {
    return (await fetch(`${jobUrl}/results/${name}`, { headers: this.headers })).text();
  }

  async preview(type: string, parameters: Record<string, unknown>): Promise<{ status: number; body: any; text: string }> {
    const r = await fetch(`${this.base}/api/datasources/${type}/preview`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ parameters }),
    });
    const text = await r.text();
    return { status: r.status, body: text.startsWith('{') ? JSON.parse(text) : null, text };
  }

  async download(path: string): Promise<Buffer> {
    const r = await fetch(`${this.base}/api/files/download?path=${encodeURIComponent(path)}`, { headers: this.headers });
    if (r.status !== 200) throw new Error(`download ${path}: HTTP ${r.status} ${await r.text()}`);
    return Buffer.from(await r.arrayBuffer());
  }

  /** Names in a folder. */
  async list(path: string): Promise<string[]> {
    const r = await fetch(`${this.base}/api/files?path=${encodeURIComponent(path)}&limit=1000`, { headers: this.headers });
    return (((await r.json()) as any).entries ?? []).map((e: any) => e.name);
  }

  /** Every file below a folder, as user paths, sorted. */
  async tree(path: string): Promise<string[]> {
    const r = await fetch(`${this.base}/api/files?path=${encodeURIComponent(path)}&limit=1000`, { headers: this.headers });
    const out: string[] = [];
    for (const e of ((await r.json()) as any).entries ?? []) {
      if (e.type === 'directory') out.push(...(await this.tree(e.path)));
      else out.push(e.path);
    }
    return out.sort();
  }
}

/** The rows of a manifest.csv (RFC 4180 quoting). */
export function manifestRows(text: string): Record<string, string>[] {
  const lines: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell.replace(/\r$/, ''));
      lines.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  const [head, ...rest] = lines;
  if (!head || head[0] !== 'url') return [];
  return rest.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ''])));
}
