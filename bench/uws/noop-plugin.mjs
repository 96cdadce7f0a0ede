// The job type the UWS benchmark runs: it does nothing, so what is measured is vocloud's own
// path (HTTP, JobService, database, NOTIFY, scheduler, executor threads), not a plugin.
// Like any plugin it imports @vocloud/sdk only.
import { Type, defineWorker } from '@vocloud/sdk';

export default defineWorker({
  name: 'noop',
  title: 'No-op',
  description: 'Completes at once (benchmark job type)',
  parameters: Type.Object({}),
  limits: { defaultExecutionDuration: 60, maxExecutionDuration: 600, concurrency: 64 },
  async run() {},
});
