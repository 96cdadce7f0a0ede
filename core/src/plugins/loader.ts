import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginDefinitionError, resolvePluginExport, type JobTypeDefinition } from '@vocloud/sdk';

/*
 * Finding and importing plugin modules. Used by the server at start and by every executor
 * thread, so it must stay free of the server's container (no tsyringe here).
 */

/** Refuses to start the server: a plugin is missing or invalid. */
export class PluginLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

function isPathLike(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec);
}

/** Resolve a config entry to the URL of the module to import. */
export function resolvePluginModule(spec: string, baseDir: string): string {
  if (isPathLike(spec)) {
    const p = resolve(baseDir, spec);
    if (!existsSync(p)) throw new PluginLoadError(`plugin '${spec}': ${p} does not exist`);
    if (statSync(p).isDirectory()) {
      try {
        return pathToFileURL(createRequire(join(p, 'package.json')).resolve(p)).href;
      } catch {
        throw new PluginLoadError(`plugin '${spec}': ${p} is a folder without a package.json main/exports entry (did you build it?)`);
      }
    }
    return pathToFileURL(p).href;
  }
  const attempts: string[] = [];
  for (const from of [join(baseDir, 'package.json'), join(process.cwd(), 'package.json')]) {
    try {
      return pathToFileURL(createRequire(from).resolve(spec)).href;
    } catch (err) {
      attempts.push((err as Error).message.split('\n')[0]!);
    }
  }
  try {
    return import.meta.resolve(spec);
  } catch (err) {
    attempts.push((err as Error).message.split('\n')[0]!);
  }
  throw new PluginLoadError(
    `plugin '${spec}' is not installed (install it with \`npm install ${spec}\`, or remove it from the plugins list): ${attempts[0]}`,
  );
}

/** Import a plugin module and turn its default export (and options) into job types. */
export async function importJobTypes(moduleUrl: string, options: unknown, source: string): Promise<JobTypeDefinition[]> {
  let mod: { default?: unknown };
  try {
    mod = (await import(moduleUrl)) as { default?: unknown };
  } catch (err) {
    throw new PluginLoadError(`plugin '${source}' failed to load: ${(err as Error).message}`);
  }
  if (mod.default === undefined) {
    throw new PluginLoadError(`plugin '${source}' has no default export (export default defineWorker({...}))`);
  }
  try {
    return resolvePluginExport(mod.default, options, `plugin '${source}'`);
  } catch (err) {
    if (err instanceof PluginDefinitionError) throw new PluginLoadError(err.message);
    throw err;
  }
}

