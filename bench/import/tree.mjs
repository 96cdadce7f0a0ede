// The benchmark's source tree (random files in folders) and a check that a copy matches it.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `files` random files of `size` bytes in `folders` folders below ROOT/data. */
export function makeTree(files, size, folders) {
  const root = mkdtempSync(join(tmpdir(), 'bench-import-src-'));
  const data = join(root, 'data');
  mkdirSync(data);
  const per = Math.ceil(files / folders);
  for (let i = 0; i < files; i++) {
    const dir = join(data, `night${String(Math.floor(i / per)).padStart(3, '0')}`);
    if (i % per === 0) mkdirSync(dir);
    writeFileSync(join(dir, `spec${String(i).padStart(5, '0')}.fits`), randomBytes(size));
  }
  // pyftpdlib runs as nobody when we are root: the tree must be readable
  for (const d of [root, data, ...readdirSync(data).map((n) => join(data, n))]) chmodSync(d, 0o755);
  return { root, data };
}

/** Every file below `dir` with its size, and a digest of all contents in path order (sidecars and index pages left out). */
export function inventory(dir) {
  const files = [];
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
      else if (!e.name.endsWith('.provenance.json') && e.name !== 'index.html' && !e.name.startsWith('.listing')) files.push({ rel: `${rel}${e.name}`, path: p, size: statSync(p).size });
    }
  };
  walk(dir, '');
  files.sort((a, b) => (a.rel < b.rel ? -1 : 1));
  const h = createHash('sha256');
  for (const f of files) h.update(f.rel.split('/').pop()).update(readFileSync(f.path));
  return { count: files.length, bytes: files.reduce((n, f) => n + f.size, 0), digest: h.digest('hex').slice(0, 12) };
}

/** Sidecars below `dir` that are missing for a file or do not describe it (size and sha256). */
export function sidecarProblems(dir) {
  const problems = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.provenance.json')) {
        let prov;
        try {
          prov = JSON.parse(readFileSync(`${p}.provenance.json`, 'utf8'));
        } catch {
          problems.push(`${p}: no sidecar`);
          continue;
        }
        const body = readFileSync(p);
        if (prov.size !== body.length || prov.sha256 !== createHash('sha256').update(body).digest('hex')) problems.push(`${p}: the sidecar describes another file`);
      }
    }
  };
  walk(dir);
  return problems;
}
