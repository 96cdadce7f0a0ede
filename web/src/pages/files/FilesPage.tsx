import { useEffect, useRef, useState, type DragEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { deleteFiles, downloadUrl, formatBytes, joinPath, listFiles, mkdir, moveFile, parentOf, zipUrl, type SortKey } from '../../api/files';
import type { FileEntry } from '../../api/types';
import { useToast } from '../../app/toasts';
import { useSamp } from '../../samp/SampContext';
import { ConfirmDialog, Dialog, EmptyState, ErrorBox, Spinner, formatTime, useLoad } from '../../components/ui';
import { StoragePicker } from '../../components/StoragePicker';
import { Pager, useAction } from '../../components/data';
import { FileView, SIDECAR } from './FileView';
import { UploadPanel, type UploadPanelHandle } from './UploadPanel';
import { filesFromDrop, filesFromInput } from './drop';

const PAGE = 50;
const AREAS: [string, string][] = [
  ['~', 'My files'],
  ['DATA', 'Shared data'],
];

function Breadcrumb({ path, go }: { path: string; go: (p: string) => void }) {
  const parts = path.split('/').filter(Boolean);
  return (
    <nav aria-label="Folder" className="breadcrumb">
      <ol>
        {parts.map((p, i) => {
          const to = parts.slice(0, i + 1).join('/');
          const label = i === 0 ? (AREAS.find(([a]) => a === p)?.[1] ?? p) : p;
          return (
            <li key={to}>
              {i === parts.length - 1 ? (
                <span aria-current="page">{label}</span>
              ) : (
                <button type="button" className="link" onClick={() => go(to)}>
                  {label}
                </button>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

function NameDialog({
  open,
  title,
  label,
  initial,
  onSubmit,
  onClose,
}: {
  open: boolean;
  title: string;
  label: string;
  initial: string;
  onSubmit: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(initial);
  const submit = useAction(onSubmit);
  // a fresh field each time the dialog opens (the dialog stays mounted, so focus can return)
  useEffect(() => {
    if (open) {
      setName(initial);
      submit.setError(null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, initial]);
  return (
    <Dialog title={title} open={open} onClose={onClose}>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await submit.run(name.trim())) onClose();
        }}
      >
        <label>
          {label}
          <input value={name} onChange={(e) => setName(e.target.value)} required autoFocus />
        </label>
        <ErrorBox error={submit.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={submit.busy || !name.trim()}>
            OK
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function FilesPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const toast = useToast();
  const samp = useSamp();
  const path = params.get('path') || '~';
  const sort = (params.get('sort') as SortKey | null) ?? 'name';
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';
  const offset = Number(params.get('offset') ?? 0) || 0;
  const [showSidecars, setShowSidecars] = useState(false);
  const list = useLoad((signal) => listFiles(path, { sort, order, offset, limit: PAGE, provenance: true, hideSidecars: !showSidecars }, signal), [path, sort, order, offset, showSidecars]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [viewing, setViewing] = useState<FileEntry | null>(null);
  const [dialog, setDialog] = useState<null | 'mkdir' | 'rename' | 'move' | 'delete'>(null);
  const [dragging, setDragging] = useState(false);
  const uploads = useRef<UploadPanelHandle>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const writable = path.startsWith('~');

  const go = (p: string, more: Record<string, string> = {}) => {
    const q = new URLSearchParams({ path: p, ...more });
    if (sort !== 'name' && !('sort' in more)) q.set('sort', sort);
    if (order !== 'asc' && !('order' in more)) q.set('order', order);
    setParams(q);
    setSelected(new Set());
  };
  // Sidecars are left out by the server when hidden, so pages stay full and counts right.
  const entries = list.data?.entries ?? [];
  const chosen = entries.filter((e) => selected.has(e.path));
  const chosenFiles = chosen.filter((e) => e.type === 'file');
  const total = list.data?.total ?? 0;

  const sortBy = (k: SortKey) => go(path, { sort: k, order: sort === k && order === 'asc' ? 'desc' : 'asc' });
  const ariaSort = (k: SortKey) => (sort === k ? (order === 'asc' ? 'ascending' : 'descending') : 'none');
  const header = (k: SortKey, label: string) => (
    <th scope="col" aria-sort={ariaSort(k)}>
      <button type="button" className="sort" onClick={() => sortBy(k)}>
        {label} {sort === k ? (order === 'asc' ? '▲' : '▼') : ''}
      </button>
    </th>
  );

  const startUpload = async (groups: { label: string; files: { file: File; path: string }[] }[]) => {
    if (!writable) {
      toast.show(`${path} is read-only for you; upload into your own files (~).`, 'error');
      return;
    }
    await Promise.all(groups.filter((g) => g.files.length > 0).map((g) => uploads.current?.start(path, g.label, g.files)));
  };
  const onDrop = async (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    try {
      await startUpload(await filesFromDrop(e.dataTransfer));
    } catch (err) {
      toast.show(`Could not read the dropped files: ${(err as Error).message}`, 'error');
    }
  };
  const plotSelected = () => {
    const q = new URLSearchParams(chosen.map((e) => ['path', e.path]));
    navigate(`/plot?${q.toString()}`);
  };
  const sendSamp = async () => {
    try {
      toast.show(await samp.sendFiles(chosenFiles.map((e) => ({ path: e.path, name: e.name }))), 'success');
    } catch (err) {
      toast.show(`SAMP: ${(err as Error).message}. See the SAMP page.`, 'error');
    }
  };

  return (
    <section
      className={`files${dragging ? ' dragging' : ''}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes('Files')) {
          e.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => void onDrop(e)}
    >
      <div className="page-head">
        <h1>Files</h1>
        <div className="row" role="group" aria-label="Storage areas">
          {AREAS.map(([a, label]) => (
            <button key={a} type="button" className={path.split('/')[0] === a ? 'active' : ''} onClick={() => go(a)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      <Breadcrumb path={path} go={go} />
      <div className="toolbar" role="toolbar" aria-label="File actions">
        <button type="button" disabled={!writable} onClick={() => fileInput.current?.click()}>
          Upload files
        </button>
        <button type="button" disabled={!writable} onClick={() => folderInput.current?.click()}>
          Upload folder
        </button>
        <button type="button" disabled={!writable} onClick={() => setDialog('mkdir')}>
          New folder
        </button>
        <span className="sep" aria-hidden="true" />
        <button type="button" disabled={chosen.length !== 1 || !writable} onClick={() => setDialog('rename')}>
          Rename
        </button>
        <button type="button" disabled={chosen.length === 0 || !writable} onClick={() => setDialog('move')}>
          Move
        </button>
        <button type="button" className="danger" disabled={chosen.length === 0 || !writable} onClick={() => setDialog('delete')}>
          Delete
        </button>
        <span className="sep" aria-hidden="true" />
        <a
          className={`button${chosen.length === 0 ? ' disabled' : ''}`}
          aria-disabled={chosen.length === 0}
          href={
            chosen.length
              ? zipUrl(
                  // a file's provenance travels with it
                  chosen.flatMap((e) => (e.provenance ? [e.path, `${e.path}${SIDECAR}`] : [e.path])),
                  chosen.length === 1 ? chosen[0]!.name : 'vocloud-files',
                )
              : undefined
          }
          download
        >
          Download zip
        </a>
        <button type="button" disabled={chosen.length === 0} onClick={plotSelected}>
          Plot selected spectra
        </button>
        <button type="button" disabled={chosenFiles.length === 0} onClick={() => void sendSamp()}>
          Send via SAMP
        </button>
        <label className="check-inline small">
          <input type="checkbox" checked={showSidecars} onChange={(e) => setShowSidecars(e.target.checked)} /> show provenance files
        </label>
      </div>
      <input
        ref={fileInput}
        type="file"
        multiple
        hidden
        data-testid="upload-files"
        onChange={(e) => {
          if (e.target.files?.length) void startUpload([{ label: `${e.target.files.length} file(s)`, files: filesFromInput(e.target.files) }]);
          e.target.value = '';
        }}
      />
      <input
        ref={folderInput}
        type="file"
        multiple
        hidden
        data-testid="upload-folder"
        {...({ webkitdirectory: '' } as Record<string, string>)}
        onChange={(e) => {
          const files = e.target.files ? filesFromInput(e.target.files) : [];
          if (files.length) void startUpload([{ label: `${files[0]!.path.split('/')[0]}/`, files }]);
          e.target.value = '';
        }}
      />
      <UploadPanel ref={uploads} onDone={list.reload} />
      {writable && <p className="drop-hint muted small">Drop files or folders anywhere on this page to upload them here.</p>}
      {list.error ? (
        <ErrorBox error={list.error} onRetry={list.reload} />
      ) : list.loading && !list.data ? (
        <Spinner label="Loading the folder…" />
      ) : entries.length === 0 ? (
        <EmptyState title="This folder is empty.">
          {writable && <p>Upload files, drop a folder here, or import data from an archive on the Import page.</p>}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="files-table">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select everything in this folder page"
                    checked={chosen.length === entries.length && entries.length > 0}
                    onChange={(e) => setSelected(e.target.checked ? new Set(entries.map((x) => x.path)) : new Set())}
                  />
                </th>
                {header('name', 'Name')}
                {header('size', 'Size')}
                {header('modified', 'Modified')}
              </tr>
            </thead>
            <tbody>
              {path.includes('/') && (
                <tr>
                  <td />
                  <td colSpan={3}>
                    <button type="button" className="link" onClick={() => go(parentOf(path))}>
                      ↑ parent folder
                    </button>
                  </td>
                </tr>
              )}
              {entries.map((e) => (
                <tr key={e.path} data-path={e.path} className={selected.has(e.path) ? 'selected' : ''}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select ${e.name}`}
                      checked={selected.has(e.path)}
                      onChange={(ev) =>
                        setSelected((s) => {
                          const n = new Set(s);
                          if (ev.target.checked) n.add(e.path);
                          else n.delete(e.path);
                          return n;
                        })
                      }
                    />
                  </td>
                  <td className="name-cell">
                    {e.type === 'directory' ? (
                      <button type="button" className="link" onClick={() => go(e.path)}>
                        <span className="folder-icon" aria-hidden="true" />
                        {e.name}/
                      </button>
                    ) : (
                      <>
                        <button type="button" className="link" onClick={() => setViewing(e)} title="View the content">
                          {e.name}
                        </button>
                        {e.provenance && (
                          <span className="badge" title="Imported: where it came from is recorded">
                            provenance
                          </span>
                        )}
                        <a className="small download-link" href={downloadUrl(e.path)} download aria-label={`Download ${e.name}`}>
                          download
                        </a>
                      </>
                    )}
                  </td>
                  <td>{e.type === 'file' ? formatBytes(e.size) : ''}</td>
                  <td>{formatTime(e.modified)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager offset={offset} pageSize={PAGE} total={total} label="Pages of this folder" onOffset={(o) => go(path, { offset: String(o) })} />
      <p className="small muted">
        Job results are under JOBS/&#123;job id&#125;/results; open them from the <Link to="/jobs">job page</Link>.
      </p>

      <FileView entry={viewing} hasProvenance={viewing?.provenance === true} onClose={() => setViewing(null)} />
      <NameDialog
        open={dialog === 'mkdir'}
        title="New folder"
        label="Folder name"
        initial=""
        onClose={() => setDialog(null)}
        onSubmit={async (name) => {
          await mkdir(joinPath(path, name));
          list.reload();
        }}
      />
      <NameDialog
        open={dialog === 'rename'}
        title={`Rename ${chosen[0]?.name ?? ''}`}
        label="New name"
        initial={chosen[0]?.name ?? ''}
        onClose={() => setDialog(null)}
        onSubmit={async (name) => {
          const e = chosen[0]!;
          await moveFile(e.path, joinPath(parentOf(e.path), name)); // its provenance sidecar goes with it (server)
          setSelected(new Set());
          list.reload();
        }}
      />
      <StoragePicker
        open={dialog === 'move'}
        kind="folder"
        title={`Move ${chosen.length} item(s) to…`}
        start="~"
        onClose={() => setDialog(null)}
        onPick={async (dest) => {
          setDialog(null);
          const failed: string[] = [];
          for (const e of chosen) {
            try {
              await moveFile(e.path, joinPath(dest, e.name));
            } catch (err) {
              failed.push(`${e.name}: ${(err as Error).message}`);
            }
          }
          if (failed.length) toast.show(`Not moved: ${failed.join('; ')}`, 'error');
          else toast.show(`Moved ${chosen.length} item(s) to ${dest}`, 'success');
          setSelected(new Set());
          list.reload();
        }}
      />
      <ConfirmDialog
        open={dialog === 'delete'}
        title={`Delete ${chosen.length} item(s)?`}
        confirmLabel="Delete"
        danger
        onClose={() => setDialog(null)}
        onConfirm={async () => {
          await deleteFiles(chosen.map((e) => e.path)); // files with their provenance sidecars (server)
          setSelected(new Set());
          list.reload();
        }}
      >
        <p>These are removed for good{chosen.some((e) => e.type === 'directory') ? ', folders with everything in them' : ''}:</p>
        <ul className="compact">
          {chosen.slice(0, 10).map((e) => (
            <li key={e.path}>{e.name}</li>
          ))}
          {chosen.length > 10 && <li>… and {chosen.length - 10} more</li>}
        </ul>
      </ConfirmDialog>
    </section>
  );
}
