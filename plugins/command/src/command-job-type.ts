import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, symlink } from 'node:fs/promises';
import { delimiter, isAbsolute, join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  JobError,
  RESERVED_PARAMETER_NAMES,
  defineWorker,
  storagePathKind,
  type JobContext,
  type TObject,
  type WorkerDefinition,
} from '@vocloud/sdk';
import type { CommandJobTypeConfig } from './options.js';
import { BUILTINS, expandArgs, placeholders, tokenize } from './template.js';

/**
 * Storage-path parameters (`vocloud:/~/…`) become local paths for the program: a file is the
 * file itself (or a copy, on remote storage); a folder is a folder in the work dir with its
 * files linked (or copied) in, keeping their relative paths.
 */
async function localStoragePaths(ctx: JobContext<Record<string, unknown>>, schema: TObject): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...ctx.parameters };
  const props = schema.properties as Record<string, unknown>;
  for (const [name, value] of Object.entries(ctx.parameters)) {
    if (!storagePathKind(props[name]) || value === undefined) continue;
    const one = async (v: unknown): Promise<string> => {
      const entry = await ctx.storage.stat(String(v));
      if (!entry) throw new JobError(`${String(v)} does not exist (was it moved or deleted after the job was created?)`);
      if (entry.type === 'file') return ctx.storage.localFile(entry.path);
      const dir = join(ctx.workDir, 'inputs', `${name}-${Math.random().toString(36).slice(2, 8)}`);
      for (const f of await ctx.storage.files(entry.path, { limit: 100_000 })) {
        const target = join(dir, ...f.path.slice(entry.path.length + 1).split('/'));
        await mkdir(dirname(target), { recursive: true });
        await symlink(await ctx.storage.localFile(f.path), target);
      }
      await mkdir(dir, { recursive: true });
      return dir;
    };
    out[name] = Array.isArray(value) ? await Promise.all(value.map(one)) : await one(value);
  }
  return out;
}

/** Shipped example programs, usable in templates as {examplesDir}. */
export const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples');

/** Resolve the configured program to an absolute, executable path — or say why not. */
export function resolveCommand(command: string, where: string): string {
  if (command === 'node') return process.execPath;
  const candidates = isAbsolute(command)
    ? [command]
    : command.includes('/')
      ? []
      : (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter).filter(Boolean).map((d) => join(d, command));
  if (candidates.length === 0) throw new Error(`${where}: command '${command}' must be an absolute path or a program name on PATH`);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      /* try the next one */
    }
  }
  throw new Error(`${where}: command '${command}' was not found or is not executable${isAbsolute(command) ? '' : ' on PATH'}`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p); // symlinks and devices are never results
    }
  };
  await walk(dir);
  return out.sort();
}

/** Build one worker job type from its config entry; throws with the entry named on any problem. */
export function commandJobType(cfg: CommandJobTypeConfig): WorkerDefinition {
  const where = `command job type '${cfg.name}'`;
  const program = resolveCommand(cfg.command, where);
  const schema = cfg.parameters as unknown as TObject;
  const known = new Set(Object.keys(schema.properties ?? {}));
  for (const b of BUILTINS) {
    if (known.has(b)) throw new Error(`${where}: parameter '${b}' clashes with the builtin placeholder {${b}}`);
  }
  for (const name of placeholders(cfg.args)) {
    if (!known.has(name) && !(BUILTINS as readonly string[]).includes(name)) {
      throw new Error(`${where}: the argument template uses {${name}}, which is neither a parameter nor a builtin (${BUILTINS.join(', ')})`);
    }
  }
  for (const arg of cfg.args) {
    for (const t of tokenize(arg)) {
      if (t.kind === 'param' && t.flagText !== undefined && (schema.properties[t.name] as { type?: string } | undefined)?.type !== 'boolean') {
        throw new Error(`${where}: {${t.name}?…} needs a boolean parameter`);
      }
    }
  }
  for (const name of known) {
    if (RESERVED_PARAMETER_NAMES.has(name.toLowerCase())) throw new Error(`${where}: parameter '${name}' is a reserved UWS word`);
  }
  const progress = cfg.progressPattern ? new RegExp(cfg.progressPattern) : null;

  return defineWorker({
    name: cfg.name,
    title: cfg.title ?? cfg.name,
    description: cfg.description ?? `Runs ${cfg.command}`,
    version: cfg.version ?? '1.0.0',
    parameters: schema,
    ...(cfg.limits ? { limits: cfg.limits } : {}),
    restricted: cfg.restricted,
    async run(ctx: JobContext<Record<string, unknown>>) {
      const resultDir = join(ctx.workDir, 'results');
      await mkdir(resultDir, { recursive: true });
      const params = await localStoragePaths(ctx, schema);
      const args = expandArgs(cfg.args, params, { workDir: ctx.workDir, resultDir, jobId: ctx.jobId, examplesDir: EXAMPLES_DIR });
      const stdoutFile = join(ctx.workDir, 'stdout.txt');
      const stderrFile = join(ctx.workDir, 'stderr.txt');
      ctx.log.info(`running ${program}`, { args });
      let partial = '';
      const r = await ctx.exec(program, args, {
        env: cfg.env,
        stdoutFile,
        stderrFile,
        ...(progress
          ? {
              onStdout: (chunk: Buffer) => {
                const lines = (partial + chunk.toString('utf8')).split('\n');
                partial = lines.pop() ?? '';
                for (const line of lines) {
                  const m = progress.exec(line);
                  if (m?.[1] !== undefined && Number.isFinite(Number(m[1]))) ctx.progress(Number(m[1]) / 100, line.trim().slice(0, 200));
                }
              },
            }
          : {}),
      });
      // Everything the program wrote is kept, even when it failed or was aborted.
      await ctx.results.add('stdout.txt', stdoutFile, 'text/plain');
      await ctx.results.add('stderr.txt', stderrFile, 'text/plain');
      for (const file of await filesUnder(resultDir)) {
        await ctx.results.add(relative(resultDir, file).split('\\').join('/'), file);
      }
      if (r.aborted || ctx.signal.aborted) return;
      if (r.exitCode !== 0) {
        const how = r.exitCode === null ? `was killed by signal ${r.signal}` : `exited with code ${r.exitCode}`;
        const tail = r.stderrTail.trim();
        throw new JobError(
          `${cfg.name}: the program ${how}${tail ? `:\n${tail.split('\n').slice(-5).join('\n')}` : ' (no output on stderr)'}`,
          tail ? `${program} ${how}. Last lines of stderr:\n${tail}` : undefined,
        );
      }
    },
  });
}

/** List the shipped example programs (for docs and `vocloud plugins`). */
export function examplePrograms(): string[] {
  try {
    return readdirSync(EXAMPLES_DIR);
  } catch {
    return [];
  }
}
