import { Type, type StringOptions, type TString } from '@sinclair/typebox';

/** What a storage-path parameter must point at: an existing file, folder or either — or
 *  'target', a folder the owner may write that need not exist yet (where imports go). */
export type StoragePathKind = 'file' | 'folder' | 'any' | 'target';

/**
 * A parameter that names a file or folder in vocloud storage: `vocloud:/~/spectra/a.fits`,
 * `vocloud:/DATA/lamost/`. Core checks at job creation that the owner may read it and that it
 * exists with the right kind; the plugin reads it with `ctx.storage`.
 */
export function StoragePathParameter(options: StringOptions & { kind?: StoragePathKind } = {}): TString {
  const { kind = 'any', ...rest } = options;
  return Type.String({ ...rest, format: 'vocloud-path', 'x-vocloud-storage': kind });
}

/** The kind a storage-path parameter schema asks for, or null when it is not one. */
export function storagePathKind(prop: unknown): StoragePathKind | null {
  const p = prop as { format?: string; 'x-vocloud-storage'?: StoragePathKind; items?: unknown; type?: string };
  if (p?.format === 'vocloud-path') return p['x-vocloud-storage'] ?? 'any';
  if (p?.type === 'array' && p.items) return storagePathKind(p.items);
  return null;
}
