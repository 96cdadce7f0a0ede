import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';

/** Render the configuration reference (docs/configuration.md) from the schema itself. */
export function configurationReference(): string {
  const rows: string[] = [];
  const walk = (schema: TSchema, path: string) => {
    const s = schema as TSchema & { properties?: Record<string, TSchema>; items?: TSchema };
    if (s.type === 'object' && s.properties && path !== 'plugins[].options') {
      for (const [k, v] of Object.entries(s.properties)) walk(v, path ? `${path}.${k}` : k);
      return;
    }
    if (s.type === 'array' && s.items && (s.items as { type?: string }).type === 'object') {
      rows.push(row(path, s));
      walk(s.items, `${path}[]`);
      return;
    }
    rows.push(row(path, s));
  };
  walk(ConfigSchema, '');
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from core/src/config/schema.ts by `vocloud config reference`; a test keeps it current. -->',
    '',
    'vocloud reads one YAML file: `--config FILE`, else `$VOCLOUD_CONFIG`, else `./config/vocloud.yaml`,',
    'else `./config/default.yaml`. Every key can be overridden from the environment: take the key path,',
    'write each part in SCREAMING_SNAKE_CASE and join the parts with `__`, prefixed by `VOCLOUD_` —',
    '`uws.maxWait` is `VOCLOUD_UWS__MAX_WAIT`, `executor.maxConcurrentJobs` is',
    '`VOCLOUD_EXECUTOR__MAX_CONCURRENT_JOBS`. Values are parsed as JSON when they can be (numbers,',
    'booleans, lists), else taken as strings. `DATABASE_URL` sets `database.url` and `PORT` sets',
    '`server.port`. Unknown keys and bad values stop the server at start with a message naming the key',
    'and, for environment variables, the variable. Check a file with `vocloud config check`.',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function typeOf(s: TSchema): string {
  const x = s as TSchema & { anyOf?: TSchema[]; const?: unknown; minimum?: number; maximum?: number };
  if (x.anyOf && x.anyOf.every((a) => 'const' in a)) return x.anyOf.map((a) => `\`${String((a as unknown as { const: unknown }).const)}\``).join(' \\| ');
  const bounds = [x.minimum !== undefined ? `≥ ${x.minimum}` : '', x.maximum !== undefined ? `≤ ${x.maximum}` : ''].filter(Boolean).join(', ');
  const t = typeof x.type === 'string' ? x.type : 'any';
  return bounds ? `${t} (${bounds})` : t;
}

function row(path: string, s: TSchema): string {
  const x = s as TSchema & { default?: unknown; description?: string };
  const def = x.default === undefined ? '' : `\`${JSON.stringify(x.default)}\``;
  return `| \`${path}\` | ${typeOf(s)} | ${def} | ${(x.description ?? '').replace(/\|/g, '\\|')} |`;
}
