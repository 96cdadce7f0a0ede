// Start a server script of this folder as a child process (its own event loop and CPU time),
// wait for the URL it reports, and stop it gracefully.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * @param {string} script  file name beside this one (server.mjs, ceiling.mjs)
 * @param {object} spec    passed to the child as JSON
 * @param {{ execArgv?: string[], startTimeoutMs?: number }} [options]
 */
export async function startChild(script, spec, { execArgv = [], startTimeoutMs = 120_000 } = {}) {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), [JSON.stringify(spec)], {
    execArgv,
    // The servers' log lines go to stderr, so stdout carries only the report.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${startTimeoutMs / 1000} s`));
    }, startTimeoutMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it was ready (code ${code}, signal ${signal})`));
    });
  });
  return {
    url: ready.ready,
    pid: ready.pid,
    /** Send a message and wait for the child's answer that carries `key`. */
    ask(message, key) {
      return new Promise((resolve, reject) => {
        const onMessage = (m) => {
          if (!m || !(key in m)) return;
          child.off('message', onMessage);
          if (m.error) reject(new Error(`${script}: ${m.error}`));
          else resolve(m);
        };
        child.on('message', onMessage);
        child.send(message);
      });
    },
    /** Graceful stop; SIGKILL if it has not exited after `graceMs`. */
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}
