import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, type VocloudConfig } from './schema.js';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => Ajv;

/** A configuration problem; the message names the key (and its source) and what is wrong. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The loaded configuration plus where it came from. */
export interface LoadedConfig {
  readonly config: VocloudConfig;
  /** The file read, or null when only defaults and environment were used. */
  readonly file: string | null;
  /** Directory that relative plugin paths are resolved against. */
  readonly baseDir: string;
  /** Absolute paths derived from the config. */
  readonly paths: { dataDir: string; storageRoot: string; pgliteDir: string; workDir: string };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const ENV_PREFIX = 'VOCLOUD_';
/** Environment variables that are not configuration keys. */
const ENV_NOT_KEYS = new Set([
  'VOCLOUD_CONFIG',
  'VOCLOUD_REQUIRE_PEERS',
  'VOCLOUD_PEER_SKIP_LOG',
  'VOCLOUD_TEST_DATABASE_URL',
  'VOCLOUD_PGLITE_TEMPLATE',
  'VOCLOUD_TEST_LOG',
]);

function camel(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function envValue(raw: string): Json {
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

/** VOCLOUD_UWS__MAX_WAIT=30 → { uws: { maxWait: 30 } }; DATABASE_URL and PORT too. */
export function environmentOverrides(env: NodeJS.ProcessEnv): { values: Record<string, Json>; sources: Map<string, string> } {
  const values: Record<string, Json> = {};
  const sources = new Map<string, string>();
  const set = (path: string[], value: Json, source: string) => {
    let node = values as Record<string, Json>;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      node = (typeof next === 'object' && next !== null && !Array.isArray(next) ? next : (node[key] = {})) as Record<string, Json>;
    }
    node[path[path.length - 1]!] = value;
    sources.set(path.join('.'), source);
  };
  for (const [name, raw] of Object.entries(env)) {
    if (raw === undefined || !name.startsWith(ENV_PREFIX) || ENV_NOT_KEYS.has(name)) continue;
    const path = name.slice(ENV_PREFIX.length).split('__').map(camel);
    if (path.some((p) => p === '')) throw new ConfigError(`environment variable ${name}: cannot be mapped to a configuration key`);
    set(path, envValue(raw), name);
  }
  if (env.DATABASE_URL) set(['database', 'url'], env.DATABASE_URL, 'DATABASE_URL');
  if (env.PORT) set(['server', 'port'], envValue(env.PORT), 'PORT');
  return { values, sources };
}

function merge(base: Json, over: Json): Json {
  if (typeof base === 'object' && base !== null && !Array.isArray(base) && typeof over === 'object' && over !== null && !Array.isArray(over)) {
    const out: Record<string, Json> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in out ? merge(out[k]!, v) : v;
    return out;
  }
  return over;
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
addFormats(ajv);
const validate = ajv.compile<VocloudConfig>(ConfigSchema);

function describe(e: ErrorObject, sources: Map<string, string>, file: string | null): string {
  let path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    path = [path, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
    const from = sources.get(path) ?? (file ? `in ${file}` : 'in the configuration');
    return `${path}: unknown key (${from}); see docs/configuration.md for the keys`;
  }
  const from = sources.get(path);
  const where = from ? ` (from ${from})` : file ? ` (in ${file})` : '';
  if (e.keyword === 'anyOf' || e.keyword === 'enum') {
    const options = (Array.isArray(e.schema) ? e.schema : [])
      .map((o: unknown) => (typeof o === 'object' && o !== null && 'const' in o ? JSON.stringify((o as { const: unknown }).const) : typeof o === 'object' && o !== null && 'type' in o ? `any ${(o as { type: string }).type}` : JSON.stringify(o)))
      .join(', ');
    return `${path}${where}: must be one of ${options || 'the allowed values'}`;
  }
  return `${path || '(top level)'}${where}: ${e.message ?? 'invalid'}`;
}

/** Find the config file: explicit path, VOCLOUD_CONFIG, ./config/vocloud.yaml, ./config/default.yaml. */
export function findConfigFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | null {
  const chosen = explicit ?? env.VOCLOUD_CONFIG;
  if (chosen) {
    const p = resolve(cwd, chosen);
    if (!existsSync(p)) throw new ConfigError(`configuration file ${p} does not exist`);
    return p;
  }
  for (const candidate of ['config/vocloud.yaml', 'config/default.yaml']) {
    const p = resolve(cwd, candidate);
    if (existsSync(p)) return p;
  }
  return null;
}

export interface LoadOptions {
  /** Path of the YAML file; see findConfigFile for the default. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values that win over file and environment (tests). */
  overrides?: Record<string, unknown>;
  /** Skip file lookup entirely (tests). */
  noFile?: boolean;
}

/** Read, merge (file < environment < overrides), fill defaults and validate. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.noFile ? null : findConfigFile(options.file, env, cwd);
  let fromFile: Json = {};
  if (file) {
    try {
      fromFile = (parseYaml(readFileSync(file, 'utf8')) ?? {}) as Json;
    } catch (err) {
      throw new ConfigError(`${file}: not valid YAML: ${(err as Error).message}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) {
      throw new ConfigError(`${file}: the top level must be a mapping of keys`);
    }
  }
  const { values: fromEnv, sources } = environmentOverrides(env);
  const merged = merge(merge(fromFile, fromEnv), (options.overrides ?? {}) as Json) as Record<string, unknown>;
  if (!validate(merged)) {
    const errors = validate.errors ?? [];
    const unions = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
    const messages = [...new Set(errors.filter((e) => e.keyword === 'anyOf' || !unions.has(e.instancePath)).map((e) => describe(e, sources, file)))];
    throw new ConfigError(`invalid configuration:\n  - ${messages.join('\n  - ')}`);
  }
  const config = merged as VocloudConfig;
  if (config.database.url && !/^postgres(ql)?:\/\//.test(config.database.url)) {
    throw new ConfigError(`database.url${sources.has('database.url') ? ` (from ${sources.get('database.url')})` : ''}: must start with postgres:// or postgresql://`);
  }
  if (config.storage.backend === 'webhdfs' && !config.storage.webhdfs) {
    throw new ConfigError('storage.backend is webhdfs but storage.webhdfs (url, user or delegationToken, root) is missing');
  }
  const dataDir = resolve(cwd, config.dataDir);
  const baseDir = file ? dirname(file) : cwd;
  return {
    config,
    file,
    baseDir,
    paths: {
      dataDir,
      storageRoot: resolve(dataDir, config.storage.root ?? 'storage'),
      pgliteDir: resolve(dataDir, 'db'),
      workDir: resolve(dataDir, 'work'),
    },
  };
}
