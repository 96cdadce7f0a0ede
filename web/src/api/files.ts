import { getJson, query, sendJson, uploadWithProgress } from './http';
import type { FileEntry, FileList, FilePreview } from './types';

export type SortKey = 'name' | 'size' | 'modified';

export function listFiles(
  path: string,
  opts: { offset?: number; limit?: number; sort?: SortKey; order?: 'asc' | 'desc'; provenance?: boolean; hideSidecars?: boolean } = {},
  signal?: AbortSignal,
): Promise<FileList> {
  return getJson<FileList>(`/api/files${query({ path, ...opts })}`, signal);
}

export function statFile(path: string): Promise<FileEntry> {
  return getJson<FileEntry>(`/api/files/stat${query({ path })}`);
}

export const mkdir = (path: string) => sendJson<FileEntry>('/api/files/mkdir', { path });
export const moveFile = (from: string, to: string) => sendJson<FileEntry>('/api/files/move', { from, to });
export const copyFile = (from: string, to: string) => sendJson<FileEntry>('/api/files/copy', { from, to });
export const deleteFiles = (paths: string[]) => sendJson<{ deleted: number }>('/api/files/delete', { paths });
export const previewFile = (path: string) => getJson<FilePreview>(`/api/files/preview${query({ path })}`);
export const signFile = (path: string, expiresIn = 3600) => sendJson<{ url: string; expiresAt: string; kind: string }>('/api/files/sign', { path, expiresIn });

export const downloadUrl = (path: string) => `/api/files/download${query({ path })}`;
export const zipUrl = (paths: string[], name?: string) => `/api/files/zip${query({ path: paths, name })}`;

export interface UploadOutcome {
  files: { path: string; size: number; renamed: boolean }[];
}

/** Upload files into `dir`; a name with `/` keeps its folders. */
export function uploadFiles(
  dir: string,
  files: { file: Blob; name: string }[],
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<UploadOutcome> {
  const form = new FormData();
  for (const f of files) form.append('file', f.file, f.name);
  return uploadWithProgress<UploadOutcome>(`/api/files/upload${query({ dir })}`, form, onProgress, signal);
}

/** The parent of a user path (`~/a/b` → `~/a`); an area root is its own parent. */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  return i <= 0 ? trimmed : trimmed.slice(0, i);
}

export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
