import { Ajv } from 'ajv';
import { definePluginFactory } from '@vocloud/sdk';
import { CommandOptionsSchema, type CommandOptions } from './options.js';
import { commandJobType } from './command-job-type.js';

export { commandJobType, resolveCommand, EXAMPLES_DIR } from './command-job-type.js';
export { expandArgs, tokenize, TemplateError } from './template.js';
export { CommandOptionsSchema, CommandJobTypeSchema, type CommandOptions, type CommandJobTypeConfig } from './options.js';

const validateOptions = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile<CommandOptions>(CommandOptionsSchema);

/**
 * The `command` plugin — VO-CLOUD's "universal worker": every entry of `options.jobTypes`
 * becomes a UWS job type that runs a local program with typed, validated arguments.
 */
export default definePluginFactory<unknown>('command', (raw) => {
  const options = structuredClone(raw ?? {});
  if (!validateOptions(options)) {
    const first = validateOptions.errors?.[0];
    throw new Error(`options${first?.instancePath.replace(/\//g, '.') ?? ''}: ${first?.message ?? 'invalid'} (see docs/plugins/command.md)`);
  }
  return (options as CommandOptions).jobTypes.map(commandJobType);
});
