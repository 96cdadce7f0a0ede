/**
 * Provenance sidecars: an imported file `x.fits` has `x.fits.provenance.json` beside it (the
 * data-source plugins write them; the file manager shows them). The file manager keeps the
 * pair together: renaming, moving, copying or deleting a file does the same to its sidecar,
 * on the server, whatever page of a listing each of them is on.
 */
export const SIDECAR = '.provenance.json';

export function isSidecar(path: string): boolean {
  return path.endsWith(SIDECAR);
}

export function sidecarOf(path: string): string {
  return `${path.replace(/\/+$/, '')}${SIDECAR}`;
}
