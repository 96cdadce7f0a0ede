// A vocloud server in a process of its own, for bench:plot (and for looking at the UI by hand:
// `node bench/plot/server.mjs '{"dataDir":"/tmp/v","port":8080,"plugins":"all"}'`).
// Reports its URL over IPC (or stdout); stops on 'stop' or SIGTERM.
import { Vocloud, loadConfig } from '@vocloud/core';

const spec = JSON.parse(process.argv[2] ?? '{}');
const plugins =
  spec.plugins === 'all'
    ? [
        { package: new URL('../../tests/fixtures/test-plugin.mjs', import.meta.url).pathname },
        { package: '@vocloud/plugin-som' },
        { package: '@vocloud/plugin-datasources', options: { allowPrivateNetworks: true } },
      ]
    : [];
const config = loadConfig({
  noFile: true,
  env: {},
  overrides: {
    dataDir: spec.dataDir,
    server: { host: '127.0.0.1', port: spec.port ?? 0 },
    log: { level: 'warn' },
    // anonymous on: with it off, core serves the UI's static files only to signed-in users (see docs/web.md)
    auth: { anonymous: spec.anonymous ?? true, bootstrapAdmin: { username: 'admin', password: spec.adminPassword ?? 'bench-admin-not-secret' } },
    quotas: { storage: 2 ** 40 },
    files: { maxUploadFiles: 100000 },
    plugins,
  },
});
const vocloud = new Vocloud({ config });
const url = await vocloud.start();
if (process.send) process.send({ url });
else console.log(url);
const stop = () => vocloud.stop().then(() => process.exit(0));
process.on('message', (m) => m === 'stop' && stop());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
