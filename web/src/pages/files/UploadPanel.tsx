import { forwardRef, useImperativeHandle, useState } from 'react';
import { formatBytes, uploadFiles } from '../../api/files';
import { ProgressBar } from '../../components/ui';
import { batches, type PickedFile } from './drop';

interface Upload {
  id: number;
  label: string;
  dir: string;
  files: number;
  bytes: number;
  loaded: number;
  state: 'uploading' | 'done' | 'failed' | 'cancelled';
  message: string;
  controller: AbortController;
}

export interface UploadPanelHandle {
  /** Upload a group of files into `dir` (one progress bar per group). */
  start(dir: string, label: string, files: PickedFile[]): Promise<void>;
}

let nextId = 1;

/** The running and finished uploads, each with a progress bar and a cancel button. */
export const UploadPanel = forwardRef<UploadPanelHandle, { onDone: () => void }>(function UploadPanel({ onDone }, ref) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (id: number, p: Partial<Upload>) => setUploads((u) => u.map((x) => (x.id === id ? { ...x, ...p } : x)));

  useImperativeHandle(ref, () => ({
    async start(dir, label, files) {
      const id = nextId++;
      const bytes = files.reduce((n, f) => n + f.file.size, 0);
      const controller = new AbortController();
      setUploads((u) => [...u.slice(-7), { id, label, dir, files: files.length, bytes, loaded: 0, state: 'uploading', message: '', controller }]);
      let done = 0;
      let renamed = 0;
      try {
        for (const batch of batches(files)) {
          const batchBytes = batch.reduce((n, f) => n + f.file.size, 0);
          const r = await uploadFiles(
            dir,
            batch.map((f) => ({ file: f.file, name: f.path })),
            (loaded, total) => {
              // multipart overhead makes total a little larger than the file bytes
              const frac = total > 0 ? loaded / total : 0;
              patch(id, { loaded: done + frac * batchBytes });
            },
            controller.signal,
          );
          done += batchBytes;
          renamed += r.files.filter((f) => f.renamed).length;
          patch(id, { loaded: done });
        }
        patch(id, { state: 'done', message: renamed ? `${renamed} name(s) were taken; those files got "(1)" names` : '' });
      } catch (err) {
        const cancelled = (err as Error).name === 'AbortError';
        patch(id, { state: cancelled ? 'cancelled' : 'failed', message: cancelled ? 'cancelled' : (err as Error).message });
      } finally {
        onDone();
      }
    },
  }));

  if (uploads.length === 0) return null;
  return (
    <section className="uploads" aria-label="Uploads">
      <div className="page-head">
        <h2 className="small-head">Uploads</h2>
        {uploads.some((u) => u.state !== 'uploading') && (
          <button type="button" className="link" onClick={() => setUploads((u) => u.filter((x) => x.state === 'uploading'))}>
            clear finished
          </button>
        )}
      </div>
      <ul>
        {uploads.map((u) => (
          <li key={u.id} className={`upload upload-${u.state}`} data-upload-state={u.state}>
            <div className="row">
              <strong>{u.label}</strong>
              <span className="muted small">
                {u.files} file{u.files === 1 ? '' : 's'} → {u.dir} · {formatBytes(u.loaded)} / {formatBytes(u.bytes)}
              </span>
              {u.state === 'uploading' ? (
                <button type="button" className="link" onClick={() => u.controller.abort()}>
                  cancel
                </button>
              ) : (
                <span className={u.state === 'done' ? 'success' : 'error-text'}>{u.state === 'done' ? 'done' : u.state}</span>
              )}
            </div>
            <ProgressBar fraction={u.bytes > 0 ? u.loaded / u.bytes : u.state === 'done' ? 1 : 0} label={`Upload of ${u.label}`} />
            {u.message && <p className={`small ${u.state === 'failed' ? 'error-text' : 'muted'}`}>{u.message}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
});
