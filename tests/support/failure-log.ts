import { afterEach } from 'vitest';
import { recentLogs } from './recent-log.js';

/*
 * A setup file of every test file: when a test fails, print the recent log of the servers it
 * talked to (see recent-log.ts), so that a failure seen once in CI can be explained.
 */
afterEach(({ task }) => {
  if (task.result?.state !== 'fail') return;
  const text = recentLogs();
  if (text) process.stderr.write(`\n── recent server log, kept for the failed test "${task.name}" ──\n${text}\n── end of the recent server log ──\n`);
});
