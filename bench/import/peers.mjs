// Start and stop the benchmark's servers: the Node static HTTP server and pyftpdlib (Debian's
// python; as `nobody` when run as root), each a child process that prints its port. Their stdin
// is a pipe from this process: they exit when it closes, so a benchmark that dies (an error, a
// closed stdout) leaves no server behind.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));

/** Resolves with the match of `pattern` in the child's stdout (its READY line), rejects if it exits first. */
export function started(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${err}`)), 15_000);
    const onOut = (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        // Started: stop keeping what it prints (pyftpdlib logs a line per command, ~0.4 MB
        // per 2,000-file import, which grew this process's heap run after run), but keep
        // reading, so that a full pipe never blocks it.
        child.stdout.off('data', onOut);
        child.stderr.off('data', onErr);
        child.stdout.resume();
        child.stderr.resume();
        resolve(m);
      }
    };
    const onErr = (d) => (err += d);
    child.stdout.on('data', onOut);
    child.stderr.on('data', onErr);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}: ${err}`)));
  });
}

export async function startHttp(root) {
  const child = spawn(process.execPath, [join(here, 'http-server.mjs'), root, '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const [, port] = await started(child, /READY (\d+)/, 'the HTTP server');
  return { url: `http://127.0.0.1:${port}`, pid: child.pid, stop: () => stop(child) };
}

export async function startFtp(root) {
  const script = join(here, 'ftp_server.py');
  const args = ['/usr/bin/python3', script, root];
  const child = process.getuid?.() === 0
    ? spawn('runuser', ['-u', 'nobody', '--', ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(args[0], args.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const [, port] = await started(child, /READY (\d+)/, 'pyftpdlib');
  return { url: `ftp://127.0.0.1:${port}`, pid: child.pid, stop: () => stop(child) };
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stop(child, graceMs = 3000) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, graceMs))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}
