// Child process for bench:storage: one vocloud server, anonymous use on, storage quota opened
// so the benchmark measures transfer, not refusals. Reports its URL over IPC; stops on 'stop'.
import { Vocloud, loadConfig } from '@vocloud/core';

const spec = JSON.parse(process.argv[2] ?? '{}');
const config = loadConfig({
  noFile: true,
  env: {},
  overrides: {
    dataDir: spec.dataDir,
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'warn' },
    auth: { anonymous: true, bootstrapAdmin: { password: 'bench-admin-not-secret' } },
    quotas: { anonymousStorage: 2 ** 50 },
    uws: { maxUploadSize: 2 ** 40 },
    files: { maxUploadFiles: 100000 },
    plugins: [],
  },
});
const vocloud = new Vocloud({ config });
const url = await vocloud.start();
process.send?.({ url });
process.on('message', (m) => {
  if (m === 'stop') vocloud.stop().then(() => process.exit(0));
});
