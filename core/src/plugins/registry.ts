import { inject, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { JobTypeDefinition } from '@vocloud/sdk';
import { TOKENS } from '../tokens.js';
import type { LoadedConfig } from '../config/load.js';
import type { PluginEntry } from '../config/schema.js';
import { PluginLoadError, importJobTypes, resolvePluginModule } from './loader.js';

export { PluginLoadError } from './loader.js';

/** A job type as the server knows it: the plugin's definition plus where it came from, so an
 *  executor thread can load exactly the same thing. */
export interface JobType {
  readonly definition: JobTypeDefinition;
  /** file: URL of the plugin module. */
  readonly moduleUrl: string;
  /** The config entry's options (plain data, passed to the plugin factory in each thread). */
  readonly options: unknown;
  /** The config entry's `package` as written. */
  readonly source: string;
}

/** The job types of all configured plugins, loaded once at start. */
@injectable()
export class PluginRegistry {
  private readonly types = new Map<string, JobType>();

  constructor(
    @inject(TOKENS.Config) private readonly config: LoadedConfig,
    @inject(TOKENS.Logger) private readonly log: Logger,
  ) {}

  /** Load every enabled plugin; throws PluginLoadError naming the plugin on any problem. */
  async load(entries: readonly PluginEntry[] = this.config.config.plugins): Promise<void> {
    for (const entry of entries) {
      if (!entry.enabled) continue;
      const moduleUrl = resolvePluginModule(entry.package, this.config.baseDir);
      const defs = await importJobTypes(moduleUrl, entry.options, entry.package);
      for (const definition of defs) {
        const clash = this.types.get(definition.name);
        if (clash) {
          throw new PluginLoadError(`job type '${definition.name}' is declared by both '${clash.source}' and '${entry.package}'`);
        }
        this.types.set(definition.name, { definition, moduleUrl, options: entry.options ?? {}, source: entry.package });
        this.log.debug({ jobType: definition.name, plugin: entry.package }, 'job type loaded');
      }
    }
  }

  get(name: string): JobType | undefined {
    return this.types.get(name);
  }

  list(): JobType[] {
    return [...this.types.values()];
  }
}
