import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { readFits, readVoTable, writeFits, writeVoTable, allTables, type VoTableDocument } from '@vocloud/sdk/formats';
import { REPO } from '../../support/server.js';

/**
 * An HTTP server on loopback that plays the VO services the SSAP, DataLink and SODA imports
 * talk to, from real responses:
 * - `/ssap` answers queryData with the real SDSS DR6 SSAP response (access references
 *   rewritten to this server), filtered by POS/SIZE and cut at MAXREC (then OVERFLOW), and
 *   FORMAT=METADATA with the declared parameters; TARGETNAME=fail gives QUERY_STATUS=ERROR,
 *   `/ssap-broken` a malformed VOTable;
 * - `/ivoa-dal/JhuSsapServlet?REQUEST=getData…` serves a real spectrum (HST CALSPEC) as a VOTable;
 * - `/dachs/ssap` answers with the real DaCHS SSA response with service descriptors, its URLs
 *   rewritten here; `/getproduct/…` serves the CALSPEC FITS, `?preview=True` a PNG;
 * - `/dachs/links?ID=…` a DataLink {links} document (#this, #preview, a SODA #cutout);
 * - `/flashheros/q/sdl/dlget` a SODA sync endpoint that really cuts the CALSPEC spectrum to
 *   BAND (metres, "lo hi") and answers FITS.
 */
export const REAL = resolve(REPO, '..', 'shared', 'data', 'real');
export const CALSPEC = readFileSync(resolve(REAL, 'calspec-grw70d5824-bintable.fits'));
const SDSS = readFileSync(resolve(REAL, 'ssap-sdss-dr6-result.vot.xml'), 'utf8');
const DACHS = readFileSync(resolve(REAL, 'datalink-ssa.vot.xml'), 'utf8');
/** A 1×1 PNG, as a preview image. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4ea0000000049454e44ae426082', 'hex');

export interface VoPeer {
  readonly url: string;
  /** Query strings of the requests to each path. */
  readonly requests: Map<string, URLSearchParams[]>;
  close(): Promise<void>;
}

function spectrumVoTable(): string {
  const t = readFits(CALSPEC).hdus[1]!.table();
  const wl = t.column('WAVELENGTH');
  const fl = t.column('FLUX');
  if (wl.kind !== 'numeric' || fl.kind !== 'numeric') throw new Error('unexpected CALSPEC columns');
  const rows = Array.from({ length: wl.values.length }, (_, i) => [Number(wl.values[i]), Number(fl.values[i])]);
  return writeVoTable({
    fields: [
      { name: 'WAVELENGTH', datatype: 'double', unit: 'Angstrom', ucd: 'em.wl', utype: 'spec:Spectrum.Data.SpectralAxis.Value' },
      { name: 'FLUX', datatype: 'double', unit: 'erg/s/cm2/Angstrom', ucd: 'phot.flux.density;em.wl', utype: 'spec:Spectrum.Data.FluxAxis.Value' },
    ],
    rows,
  }, { format: 'BINARY2' });
}

/** The CALSPEC table rows with lo ≤ λ ≤ hi (Å), as a FITS binary table. */
export function cutCalspec(loAngstrom: number, hiAngstrom: number): Buffer {
  const t = readFits(CALSPEC).hdus[1]!.table();
  const wl = t.column('WAVELENGTH');
  const fl = t.column('FLUX');
  if (wl.kind !== 'numeric' || fl.kind !== 'numeric') throw new Error('unexpected CALSPEC columns');
  const keep: number[] = [];
  for (let i = 0; i < wl.values.length; i++) if (Number(wl.values[i]) >= loAngstrom && Number(wl.values[i]) <= hiAngstrom) keep.push(i);
  return Buffer.from(
    writeFits([
      {
        kind: 'bintable',
        name: 'SCI',
        columns: [
          { name: 'WAVELENGTH', data: Float64Array.from(keep, (i) => Number(wl.values[i])), unit: 'ANGSTROMS' },
          { name: 'FLUX', data: Float32Array.from(keep, (i) => Number(fl.values[i])), unit: 'FLAM' },
        ],
      },
    ]),
  );
}

/** Distance in degrees between two positions (small-angle accurate haversine). */
function distance(ra1: number, dec1: number, ra2: number, dec2: number): number {
  const r = Math.PI / 180;
  const a = Math.sin(((dec2 - dec1) * r) / 2) ** 2 + Math.cos(dec1 * r) * Math.cos(dec2 * r) * Math.sin(((ra2 - ra1) * r) / 2) ** 2;
  return (2 * Math.asin(Math.sqrt(a))) / r;
}

function ssapResponse(base: string, q: URLSearchParams): string {
  const doc: VoTableDocument = readVoTable(SDSS.replaceAll('http://vaosa-vm1.aoc.nrao.edu/', `${base}/`));
  const table = allTables(doc)[0]!;
  const pos = table.fields.findIndex((f) => f.name === 'TargetPos');
  let rows = table.rows;
  const p = q.get('POS');
  if (p) {
    const [ra, dec] = p.split(';')[0]!.split(',').map(Number) as [number, number];
    const radius = Number(q.get('SIZE') ?? '0.2') / 2;
    rows = rows.filter((r) => {
      const tp = r[pos] as Float64Array;
      return distance(ra, dec, tp[0]!, tp[1]!) <= radius;
    });
  }
  const maxrec = q.get('MAXREC');
  let status = 'OK';
  if (maxrec !== null && rows.length > Number(maxrec)) {
    rows = rows.slice(0, Number(maxrec));
    status = 'OVERFLOW';
  }
  table.rows = rows;
  const res = doc.resources[0]!;
  res.infos = res.infos.filter((i) => i.name !== 'QUERY_STATUS');
  res.infos.unshift({ name: 'QUERY_STATUS', value: status, ...(status === 'OVERFLOW' ? { content: `Result truncated at MAXREC=${maxrec}` } : {}) });
  return writeVoTable(doc);
}

const METADATA = `<?xml version="1.0"?><VOTABLE version="1.3" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE type="results">
<INFO name="QUERY_STATUS" value="OK"/>
<PARAM name="INPUT:POS" datatype="char" arraysize="*" value="" ucd="pos.eq"><DESCRIPTION>Search position, ra,dec in degrees</DESCRIPTION></PARAM>
<PARAM name="INPUT:SIZE" datatype="double" value="0.2" unit="deg"><DESCRIPTION>Search diameter</DESCRIPTION></PARAM>
<PARAM name="INPUT:MAXREC" datatype="int" value="1000"/>
<PARAM name="INPUT:REDSHIFT" datatype="char" arraysize="*" value=""><DESCRIPTION>Redshift range, lo/hi</DESCRIPTION></PARAM>
<PARAM name="INPUT:SPECCLASS" datatype="char" arraysize="*" value=""><VALUES><OPTION value="GALAXY"/><OPTION value="QSO"/><OPTION value="STAR"/></VALUES></PARAM>
<TABLE><FIELD name="AcRef" datatype="char" arraysize="*" utype="ssa:Access.Reference" ucd="meta.ref.url"/></TABLE></RESOURCE></VOTABLE>`;

function dachsResponse(base: string): string {
  return DACHS.replaceAll('http://dc.zah.uni-heidelberg.de/', `${base}/`).replaceAll('http://example.com/datalink', `${base}/dachs/links`);
}

function linksResponse(base: string, id: string): string {
  const dataset = `${base}/getproduct/flashheros/data/ca90/f0011.mt`;
  const doc = readVoTable(dachsResponse(base));
  const soda = doc.resources.find((r) => r.type === 'meta' && r.params.some((p) => p.value.includes('SODA')))!;
  return writeVoTable({
    resources: [
      {
        type: 'results',
        tables: [
          {
            fields: ['ID', 'access_url', 'service_def', 'error_message', 'semantics', 'description', 'content_type', 'content_length'].map((name) => ({
              name,
              datatype: name === 'content_length' ? ('long' as const) : ('char' as const),
              ...(name === 'content_length' ? {} : { arraysize: '*' }),
            })),
            rows: [
              [id, dataset, '', '', '#this', 'The spectrum', 'image/fits', CALSPEC.length],
              [id, `${dataset}?preview=True`, '', '', '#preview', 'A preview', 'image/png', PNG.length],
              [id, '', 'soda', '', '#cutout', 'Cut out a band', '', null],
              [id, '', '', 'NotFoundFault: no progenitor for this dataset', '#progenitor', '', '', null],
            ],
          },
        ],
      },
      { type: 'meta', utype: 'adhoc:service', id: 'soda', params: soda.params, groups: soda.groups },
    ],
  });
}

export async function startVoPeer(): Promise<VoPeer> {
  const requests = new Map<string, URLSearchParams[]>();
  const sockets = new Set<Socket>();
  const spectrum = spectrumVoTable();
  let base = '';
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', base);
    const list = requests.get(url.pathname) ?? [];
    list.push(url.searchParams);
    requests.set(url.pathname, list);
    const q = url.searchParams;
    let path = url.pathname;
    if (path.startsWith('/protected/')) {
      if (req.headers.authorization !== `Basic ${Buffer.from('astro:s3cret-pw').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="archive"' }).end('login required');
        return;
      }
      path = path.slice('/protected'.length);
    }
    switch (path) {
      case '/ssap': {
        if ((q.get('FORMAT') ?? '').toUpperCase() === 'METADATA') return send(res, 200, 'application/x-votable+xml', METADATA);
        if (q.get('TARGETNAME') === 'fail') {
          return send(res, 200, 'application/x-votable+xml', '<?xml version="1.0"?><VOTABLE version="1.3"><RESOURCE type="results"><INFO name="QUERY_STATUS" value="ERROR">Cannot resolve target name fail</INFO></RESOURCE></VOTABLE>');
        }
        return send(res, 200, 'application/x-votable+xml', ssapResponse(base, q));
      }
      case '/ssap-broken':
        return send(res, 200, 'application/x-votable+xml', '<?xml version="1.0"?><VOTABLE version="1.3"><RESOURCE type="results"><TABLE><FIELD name="a" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>x</TR></TABLEDATA>');
      case '/ivoa-dal/JhuSsapServlet':
        if (q.get('REQUEST') !== 'getData' || !q.get('PubDID')) return send(res, 400, 'text/plain', 'bad getData request');
        return send(res, 200, 'application/x-votable+xml', spectrum);
      case '/dachs/ssap':
        return send(res, 200, 'application/x-votable+xml', dachsResponse(base));
      case '/getproduct/flashheros/data/ca90/f0011.mt':
        return q.get('preview') === 'True' ? send(res, 200, 'image/png', PNG) : send(res, 200, 'image/fits', CALSPEC);
      case '/dachs/links':
        return send(res, 200, 'application/x-votable+xml;content=datalink', linksResponse(base, q.get('ID') ?? ''));
      case '/flashheros/q/sdl/dlget': {
        const band = (q.get('BAND') ?? '').split(' ').map(Number);
        if (q.get('ID') !== 'ivo://org.gavo.dc/~?flashheros/data/ca90/f0011.mt') return send(res, 422, 'text/plain', 'UsageFault: unknown ID');
        if (band.length !== 2 || band.some(Number.isNaN)) return send(res, 422, 'text/plain', `UsageFault: BAND must be two numbers, got '${q.get('BAND')}'`);
        return send(res, 200, 'application/fits', cutCalspec(band[0]! * 1e10, band[1]! * 1e10));
      }
      default:
        return send(res, 404, 'text/plain', 'not found');
    }
  };
  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      send(res, 500, 'text/plain', String(err));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
