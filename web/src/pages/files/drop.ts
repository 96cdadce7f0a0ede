/**
 * Files from a drag-and-drop or a folder picker, with their relative paths, so a dropped
 * folder keeps its structure when uploaded (the upload API keeps the folders in a name with /).
 */

export interface PickedFile {
  readonly file: File;
  /** Relative path: `a.fits`, or `night1/a.fits` for a file in a dropped folder. */
  readonly path: string;
}

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in chunks (100 in Chromium) until it answers an empty list
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, path: `${prefix}${entry.name}` });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    for (const c of children) await walk(c, `${prefix}${entry.name}/`, out);
  }
}

/** The files of a drop, grouped by the top-level item dropped (a file or a folder). */
export async function filesFromDrop(data: DataTransfer): Promise<{ label: string; files: PickedFile[] }[]> {
  const entries = [...data.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null));
  if (entries.some((e) => e)) {
    const groups: { label: string; files: PickedFile[] }[] = [];
    for (const e of entries) {
      if (!e) continue;
      const files: PickedFile[] = [];
      await walk(e, '', files);
      groups.push({ label: e.isDirectory ? `${e.name}/` : e.name, files });
    }
    return groups;
  }
  return [...data.files].map((f) => ({ label: f.name, files: [{ file: f, path: f.name }] }));
}

/** Files from <input type=file webkitdirectory> or a plain multiple input. */
export function filesFromInput(list: FileList): PickedFile[] {
  return [...list].map((f) => ({ file: f, path: f.webkitRelativePath || f.name }));
}

/** Split a large upload into requests of at most `maxFiles` files and about `maxBytes` bytes. */
export function batches(files: readonly PickedFile[], maxFiles = 1000, maxBytes = 256 * 1024 * 1024): PickedFile[][] {
  const out: PickedFile[][] = [];
  let cur: PickedFile[] = [];
  let bytes = 0;
  for (const f of files) {
    if (cur.length > 0 && (cur.length >= maxFiles || bytes + f.file.size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(f);
    bytes += f.file.size;
  }
  if (cur.length) out.push(cur);
  return out;
}
