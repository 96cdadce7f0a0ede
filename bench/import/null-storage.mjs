// Run an import job type with a JobStorage that reads every byte and keeps none: what the
// importer and the network cost without the storage layer (temp file, rename, accounting).
import { createJobContext, parseParameters } from '@vocloud/sdk';

const noop = () => undefined;
const log = { debug: noop, info: noop, warn: noop, error: noop };

export async function runDiscarding(def, params) {
  const storage = {
    async stat() { return null; },
    async list() { return { entries: [], total: 0 }; },
    async files() { return []; },
    async read() { throw new Error('nothing stored'); },
    async localFile() { throw new Error('nothing stored'); },
    async write(path, source) {
      let size = 0;
      if (source instanceof Uint8Array) size = source.length;
      else for await (const c of source) size += c.length;
      return { path, name: path.split('/').pop(), type: 'file', size, modified: new Date() };
    },
    async mkdir() {},
    async delete() {},
    async quota() { return { used: 0, limit: Number.MAX_SAFE_INTEGER }; },
  };
  const ctx = createJobContext({
    jobId: 'bench', jobType: def.name, ownerId: 'bench', ownerRole: 'user', runId: null,
    parameters: parseParameters(def.parameters, params, { complete: true }),
    files: {}, workDir: '/nonexistent', executionDuration: 0,
    signal: new AbortController().signal, log, storage,
    onProgress: noop,
    async storeResult(name, source, mimeType) {
      if (!(source instanceof Uint8Array) && typeof source !== 'string') for await (const _ of source);
      return { name, mimeType, size: 0 };
    },
  });
  await def.run(ctx);
}
