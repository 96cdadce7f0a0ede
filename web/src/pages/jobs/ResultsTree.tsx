import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { JobResult } from '../../api/types';
import { formatBytes } from '../../api/files';

interface Node {
  name: string;
  path: string;
  result?: JobResult;
  children: Map<string, Node>;
}

/** Result names with `/` are folders (plot/a.png); build the tree they describe. */
export function resultTree(results: readonly JobResult[]): Node {
  const root: Node = { name: '', path: '', children: new Map() };
  for (const r of results) {
    const parts = r.id.split('/').filter(Boolean);
    let node = root;
    parts.forEach((part, i) => {
      let child = node.children.get(part);
      if (!child) {
        child = { name: part, path: parts.slice(0, i + 1).join('/'), children: new Map() };
        node.children.set(part, child);
      }
      if (i === parts.length - 1) child.result = r;
      node = child;
    });
  }
  return root;
}

/** Results that may be spectra (the plotter says so per file when they are not). */
const SPECTRUM_LIKE = /\.(fits?|fts|fits\.gz|vot|votable|csv|txt|dat)$/i;

const isImage = (r: JobResult) => /^image\/(png|jpeg|gif|svg\+xml|webp)/.test(r.mimeType ?? '') || /\.(png|jpe?g|gif|svg|webp)$/i.test(r.id);

function Branch({ node, depth, onImage, plotPath }: { node: Node; depth: number; onImage: (r: JobResult) => void; plotPath: (r: JobResult) => string }) {
  const [open, setOpen] = useState(depth < 1);
  const children = [...node.children.values()].sort((a, b) => Number(b.children.size > 0) - Number(a.children.size > 0) || a.name.localeCompare(b.name));
  return (
    <ul className="tree" role={depth === 0 ? 'tree' : 'group'}>
      {children.map((c) =>
        c.children.size > 0 && !c.result ? (
          <li key={c.path} role="treeitem" aria-expanded={open}>
            <button type="button" className="link tree-folder" onClick={() => setOpen((o) => !o)}>
              {open ? '▾' : '▸'} {c.name}/
            </button>
            {open && <Branch node={c} depth={depth + 1} onImage={onImage} plotPath={plotPath} />}
          </li>
        ) : (
          <li key={c.path} role="treeitem">
            <a href={c.result!.href} download={c.name}>
              {c.name}
            </a>{' '}
            <span className="muted small">
              {formatBytes(c.result!.size)} {c.result!.mimeType}
            </span>{' '}
            {SPECTRUM_LIKE.test(c.name) && (
              <Link className="small" to={`/plot?path=${encodeURIComponent(plotPath(c.result!))}`}>
                plot
              </Link>
            )}{' '}
            {isImage(c.result!) && (
              <button type="button" className="link small" onClick={() => onImage(c.result!)}>
                show
              </button>
            )}
          </li>
        ),
      )}
    </ul>
  );
}

/** The results as a file tree with download links; images can be shown inline. */
export function ResultsTree({
  results,
  onImage,
  plotPath,
}: {
  results: readonly JobResult[];
  onImage: (r: JobResult) => void;
  plotPath: (r: JobResult) => string;
}) {
  const tree = useMemo(() => resultTree(results), [results]);
  return <Branch node={tree} depth={0} onImage={onImage} plotPath={plotPath} />;
}

export { isImage };
