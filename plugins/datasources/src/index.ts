import { definePluginFactory } from '@vocloud/sdk';
import { parseOptions } from './options.js';
import { ssapSource } from './sources/ssap.js';
import { votableSource } from './sources/votable.js';
import { httpSource } from './sources/http.js';
import { ftpSource } from './sources/ftp.js';
import { serverdirSource } from './sources/serverdir.js';

export { DataSourceOptionsSchema, parseOptions, type DataSourceOptions } from './options.js';
export { safeName, numberedName, decodeUrlSegment, dispositionFileName } from './common/names.js';
export { buildQueryUrl, describeMetadata, normalisePos } from './vo/ssap-query.js';
export { findColumn, columnMap } from './vo/columns.js';
export { parseLinks } from './vo/datalink.js';
export { serviceDescriptors } from './vo/descriptors.js';
export { parseCutout, sodaUrl } from './vo/soda.js';
export { NetworkGuard } from './net/guard.js';

/**
 * `@vocloud/plugin-datasources`: the job types `ssap`, `votable`, `http`, `ftp` and
 * `serverdir` (admins only). Options (timeouts, limits, allowed server folders,
 * private networks) come from the config; see docs/plugins/datasources.md.
 */
export default definePluginFactory<unknown>('datasources', (raw) => {
  const options = parseOptions(raw);
  return [ssapSource(options), votableSource(options), httpSource(options), ftpSource(options), serverdirSource(options)];
});
