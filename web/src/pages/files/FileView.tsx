import { Link } from 'react-router';
import { downloadUrl, formatBytes, previewFile } from '../../api/files';
import { ApiError, request } from '../../api/http';
import type { FileEntry, FilePreview } from '../../api/types';
import { Dialog, ErrorBox, Spinner, formatTime, useLoad } from '../../components/ui';
import { DataTable } from '../../components/data';

/** The provenance sidecar an import writes next to each file (plugins/datasources). */
export interface Provenance {
  source?: string;
  retrievedFrom?: string;
  publisherDid?: string;
  query?: string;
  service?: string;
  title?: string;
  format?: string;
  contentType?: string;
  datalink?: { semantics: string; links?: string };
  cutout?: Record<string, string>;
  retrieved?: string;
  size?: number;
  sha256?: string;
  job?: { id: string; type: string };
}

export const SIDECAR = '.provenance.json';

async function loadProvenance(path: string): Promise<Provenance | null> {
  try {
    const res = await request(downloadUrl(`${path}${SIDECAR}`));
    return (await res.json()) as Provenance;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

export function ProvenanceView({ p }: { p: Provenance }) {
  const row = (label: string, value: React.ReactNode) =>
    value === undefined || value === null || value === '' ? null : (
      <>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </>
    );
  const link = (u?: string) =>
    u && /^(https?|ftp):/.test(u) ? (
      <a href={u} target="_blank" rel="noopener noreferrer">
        {u}
      </a>
    ) : (
      u
    );
  return (
    <dl className="facts provenance">
      {row('Source', link(p.source))}
      {p.retrievedFrom !== p.source && row('Retrieved from', link(p.retrievedFrom))}
      {row('Title', p.title)}
      {row('Publisher DID', p.publisherDid)}
      {row('Service', link(p.service))}
      {row('Query', link(p.query))}
      {row('Format', [p.format, p.contentType].filter(Boolean).join(' · '))}
      {p.datalink && row('DataLink', `${p.datalink.semantics}${p.datalink.links ? ` (${p.datalink.links})` : ''}`)}
      {p.cutout &&
        row(
          'Cutout',
          Object.entries(p.cutout)
            .map(([k, v]) => `${k}=${v}`)
            .join(', '),
        )}
      {row('Retrieved', formatTime(p.retrieved))}
      {row('Size', p.size !== undefined ? formatBytes(p.size) : undefined)}
      {row('SHA-256', p.sha256 && <code className="wrap">{p.sha256}</code>)}
      {p.job && row('Import job', <Link to={`/jobs/${encodeURIComponent(p.job.type)}/${encodeURIComponent(p.job.id)}`}>{p.job.id}</Link>)}
    </dl>
  );
}

function PreviewBody({ preview }: { preview: FilePreview }) {
  switch (preview.kind) {
    case 'text':
      return (
        <>
          <pre className="file-text">{preview.text}</pre>
          {preview.truncated && <p className="muted small">Only the start of the file is shown.</p>}
        </>
      );
    case 'fits':
      return (
        <>
          <p>
            {preview.hdus.length} HDU{preview.hdus.length === 1 ? '' : 's'}
            {preview.truncated && ' (the file is longer than what was read)'}
          </p>
          {preview.hdus.map((h) => (
            <details key={h.index} open={h.index === 0 || preview.hdus.length <= 2}>
              <summary>
                HDU {h.index}: {h.type} · {h.cards.length} cards
                {h.cards.find((c) => c.keyword === 'EXTNAME') ? ` · ${String(h.cards.find((c) => c.keyword === 'EXTNAME')!.value)}` : ''}
              </summary>
              <div className="table-wrap">
                <table className="cards-table">
                  <tbody>
                    {h.cards.map((c, i) => (
                      <tr key={i}>
                        <th scope="row">{c.keyword}</th>
                        <td>{c.value === null || c.value === undefined ? '' : String(c.value)}</td>
                        <td className="muted">{c.comment}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          ))}
        </>
      );
    case 'votable':
      return (
        <>
          {preview.queryStatus && <p>Query status: {preview.queryStatus}</p>}
          {preview.tables.map((t, i) => (
            <section key={i}>
              <h3>
                {t.name ?? `Table ${i + 1}`} · {t.rows} rows · {t.fields.length} fields
              </h3>
              <DataTable columns={['Field', 'Type', 'Unit', 'UCD', 'Description']}>
                {t.fields.map((f) => (
                  <tr key={f.name}>
                    <th scope="row">{f.name}</th>
                    <td>
                      {f.datatype}
                      {f.arraysize ? `[${f.arraysize}]` : ''}
                    </td>
                    <td>{f.unit}</td>
                    <td>{f.ucd}</td>
                    <td>{f.description}</td>
                  </tr>
                ))}
              </DataTable>
            </section>
          ))}
        </>
      );
    default:
      return <p>{preview.message}</p>;
  }
}

/** A file's content (text, FITS headers and HDUs, VOTable fields) and where it came from. */
export function FileView({ entry, hasProvenance, onClose }: { entry: FileEntry | null; hasProvenance: boolean; onClose: () => void }) {
  const preview = useLoad(() => (entry ? previewFile(entry.path) : Promise.resolve(null)), [entry?.path]);
  // only asked for when the listing shows a sidecar: a 404 would be a console error
  const prov = useLoad(() => (entry && hasProvenance ? loadProvenance(entry.path) : Promise.resolve(null)), [entry?.path, hasProvenance]);
  return (
    <Dialog title={entry?.name ?? ''} open={entry !== null} onClose={onClose} wide>
      {entry && (
        <>
          <p className="muted small">
            {entry.path} · {formatBytes(entry.size)} · {formatTime(entry.modified)} ·{' '}
            <a href={downloadUrl(entry.path)} download>
              download
            </a>
          </p>
          {prov.data && (
            <section aria-label="Provenance">
              <h3>Provenance</h3>
              <ProvenanceView p={prov.data} />
            </section>
          )}
          <h3>Content</h3>
          {preview.error ? <ErrorBox error={preview.error} /> : preview.data ? <PreviewBody preview={preview.data} /> : <Spinner />}
        </>
      )}
    </Dialog>
  );
}
