import { spawn, type ChildProcess } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { resolve } from 'node:path';

/** A real pyftpdlib server on loopback serving `root` (see ftp_server.py). */
export interface FtpPeer {
  readonly port: number;
  readonly url: string;
  /** Logins the server has seen so far. */
  logins(): number;
  /** Paths whose LIST, MLSD or RETR the server answered by closing the connection, in order. */
  drops(): string[];
  stop(): Promise<void>;
}

const SCRIPT = resolve(import.meta.dirname, 'ftp_server.py');

/**
 * Start pyftpdlib with Debian's python. As root it runs as `nobody` (a server that serves
 * files need not be root), so the tree must be world-readable: `chmodTree` makes it so.
 */
export async function startFtpPeer(root: string, user: string, password: string, chmodTree?: string, certfile?: string): Promise<FtpPeer> {
  if (chmodTree) await chmod(chmodTree, 0o755);
  const asRoot = process.getuid?.() === 0;
  const args = [SCRIPT, root, user, password, ...(certfile ? [certfile] : [])];
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'nobody', '--', '/usr/bin/python3', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('/usr/bin/python3', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`pyftpdlib did not start within 15 s: ${stderr}`)), 15_000);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pyftpdlib exited with ${code}: ${stderr}`));
    });
  });
  return {
    port,
    url: `ftp://127.0.0.1:${port}`,
    logins: () => stdout.split('\n').filter((line) => line.startsWith('LOGIN ')).length,
    drops: () => stdout.split('\n').filter((line) => line.startsWith('DROP ')).map((line) => line.slice(5)),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
