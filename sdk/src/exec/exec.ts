import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

export interface ExecOptions {
  /** Working directory; defaults to the job's work directory. */
  cwd?: string;
  /** Extra environment variables. The program does not inherit the server's environment:
   *  it gets PATH, LANG, TZ, HOME/TMPDIR (the work directory) and these. */
  env?: Readonly<Record<string, string>>;
  /** Write the program's stdout to this file instead of keeping it in memory. */
  stdoutFile?: string;
  /** Write the program's stderr to this file; its last lines are still kept in `stderrTail`. */
  stderrFile?: string;
  /** Text or bytes written to the program's stdin (then closed). */
  input?: string | Uint8Array;
  /** Keep at most this many bytes of stdout/stderr in memory (default 1 MiB each). */
  maxBufferBytes?: number;
  /** Seconds between SIGTERM and SIGKILL when the job is aborted (default 5). */
  killGraceSeconds?: number;
  /** Called with each chunk of stdout/stderr as it arrives (for progress parsing). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ExecResult {
  /** The exit code, or null when the program was ended by a signal. */
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout kept in memory (empty when `stdoutFile` was given); truncated at maxBufferBytes. */
  readonly stdout: string;
  readonly stderr: string;
  /** The last lines of stderr (at most 20 lines / 4 kB), for error messages. */
  readonly stderrTail: string;
  /** True when the program was killed because the signal fired. */
  readonly aborted: boolean;
}

/** The error when a program cannot be started at all (missing, not executable). */
export class ExecStartError extends Error {
  constructor(
    readonly command: string,
    cause: Error,
  ) {
    super(`cannot start '${command}': ${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}`.trim());
    this.name = 'ExecStartError';
  }
}

const BASE_ENV_KEYS = ['PATH', 'LANG', 'LC_ALL', 'TZ'];

function baseEnv(workDir: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of BASE_ENV_KEYS) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  env.HOME = workDir;
  env.TMPDIR = workDir;
  return env;
}

/** Keeps the first `limit` bytes of a stream plus the tail for error messages. */
class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private tail = Buffer.alloc(0);
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    if (this.size < this.limit) {
      const part = chunk.subarray(0, this.limit - this.size);
      this.chunks.push(part);
      this.size += part.length;
    }
    this.tail = Buffer.concat([this.tail, chunk]);
    if (this.tail.length > 8192) this.tail = this.tail.subarray(this.tail.length - 8192);
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
  tailLines(lines = 20, bytes = 4096): string {
    let t = this.tail.toString('utf8');
    if (t.length > bytes) t = t.slice(t.length - bytes);
    return t.replace(/\s+$/, '').split('\n').slice(-lines).join('\n');
  }
}

/**
 * Run a program with an argument vector — never through a shell, so no argument is ever
 * interpreted — in a process group of its own, killed (group and all) when `signal` fires.
 */
export async function execProgram(
  command: string,
  args: readonly string[],
  options: ExecOptions & { cwd: string; signal: AbortSignal },
): Promise<ExecResult> {
  if (options.signal.aborted) {
    return { exitCode: null, signal: null, stdout: '', stderr: '', stderrTail: '', aborted: true };
  }
  const limit = options.maxBufferBytes ?? 1024 * 1024;
  const out = new OutputBuffer(options.stdoutFile ? 0 : limit);
  const err = new OutputBuffer(limit);
  const files: WriteStream[] = [];
  const openFile = (path: string): WriteStream => {
    const s = createWriteStream(path);
    files.push(s);
    return s;
  };
  const stdoutFile = options.stdoutFile ? openFile(options.stdoutFile) : null;
  const stderrFile = options.stderrFile ? openFile(options.stderrFile) : null;

  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: { ...baseEnv(options.cwd), ...(options.env ?? {}) },
    shell: false,
    detached: true, // own process group, so abort kills the program's children too
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });

  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      try {
        child.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  const onAbort = () => {
    aborted = true;
    killGroup('SIGTERM');
    killTimer = setTimeout(() => killGroup('SIGKILL'), (options.killGraceSeconds ?? 5) * 1000);
    killTimer.unref();
  };
  options.signal.addEventListener('abort', onAbort, { once: true });

  child.stdout.on('data', (c: Buffer) => {
    out.push(c);
    if (stdoutFile && !stdoutFile.write(c)) child.stdout.pause(), stdoutFile.once('drain', () => child.stdout.resume());
    options.onStdout?.(c);
  });
  child.stderr.on('data', (c: Buffer) => {
    err.push(c);
    if (stderrFile && !stderrFile.write(c)) child.stderr.pause(), stderrFile.once('drain', () => child.stderr.resume());
    options.onStderr?.(c);
  });
  child.stdin.on('error', () => {
    /* the program may exit without reading its input */
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();

  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', (e) => reject(new ExecStartError(command, e)));
      child.once('close', (code, sig) => resolve([code, sig]));
      // A background grandchild may keep the pipes open after the program itself exited:
      // do not wait for it for more than a moment.
      child.once('exit', (code, sig) => {
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          resolve([code, sig]);
        }, 2000).unref();
      });
    });
    return { exitCode, signal, stdout: out.text(), stderr: err.text(), stderrTail: err.tailLines(), aborted };
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
    // A killed group may leave grandchildren holding the pipes; make sure none survive.
    if (aborted) killGroup('SIGKILL');
    await Promise.all(files.map(async (f) => {
      f.end();
      if (!f.closed) await once(f, 'close');
    }));
  }
}
