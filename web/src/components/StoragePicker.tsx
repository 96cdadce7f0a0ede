import { useState } from 'react';
import { listFiles, parentOf } from '../api/files';
import type { FileEntry, StorageKind } from '../api/types';
import { Dialog, EmptyState, ErrorBox, Spinner, useLoad } from './ui';

const ROOTS = [
  ['~', 'My files'],
  ['DATA', 'Shared data'],
] as const;

/** Browse storage and choose a file or a folder (job parameters, "move to", plot inputs). */
export function StoragePicker({
  open,
  kind,
  title,
  start = '~',
  onPick,
  onClose,
}: {
  open: boolean;
  kind: StorageKind;
  title: string;
  start?: string;
  onPick: (path: string, entry?: FileEntry) => void;
  onClose: () => void;
}) {
  const [dir, setDir] = useState(start);
  const list = useLoad((signal) => (open ? listFiles(dir, { limit: 500 }, signal) : Promise.resolve(null)), [dir, open]);
  const parts = dir.split('/');
  return (
    <Dialog title={title} open={open} onClose={onClose} wide>
      <div className="picker-roots" role="group" aria-label="Storage areas">
        {ROOTS.map(([p, label]) => (
          <button type="button" key={p} className={parts[0] === p ? 'active' : ''} onClick={() => setDir(p)}>
            {label}
          </button>
        ))}
      </div>
      <nav aria-label="Folder" className="breadcrumb">
        {parts.map((p, i) => (
          <span key={i}>
            {i > 0 && ' / '}
            <button type="button" className="link" onClick={() => setDir(parts.slice(0, i + 1).join('/'))}>
              {p}
            </button>
          </span>
        ))}
      </nav>
      {list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.loading || !list.data ? (
        <Spinner />
      ) : list.data.entries.length === 0 ? (
        <EmptyState title="This folder is empty." />
      ) : (
        <ul className="picker-list">
          {dir !== parts[0] && (
            <li>
              <button type="button" className="link" onClick={() => setDir(parentOf(dir))}>
                ↑ up
              </button>
            </li>
          )}
          {list.data.entries.map((e) => (
            <li key={e.path}>
              {e.type === 'directory' ? (
                <button type="button" className="link" onClick={() => setDir(e.path)}>
                  <span className="folder-icon" aria-hidden="true" />
                  {e.name}/
                </button>
              ) : kind === 'folder' || kind === 'target' ? (
                <span className="muted">{e.name}</span>
              ) : (
                <button type="button" className="link" onClick={() => onPick(e.path, e)}>
                  {e.name}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        {kind !== 'file' && (
          <button type="button" className="primary" onClick={() => onPick(dir)}>
            Choose this folder ({dir})
          </button>
        )}
      </div>
    </Dialog>
  );
}
