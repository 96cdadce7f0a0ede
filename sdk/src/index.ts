/**
 * @vocloud/sdk — what a vocloud plugin may import: the plugin contract, the job context, the
 * storage interface and path rules, program execution without a shell, and parameter parsing.
 * The test harness is in '@vocloud/sdk/testing'; VO formats in '@vocloud/sdk/formats'.
 */
export { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
export * from './plugin/define.js';
export * from './plugin/context.js';
export * from './plugin/errors.js';
export * from './params/parse.js';
export * from './params/schema-check.js';
export * from './params/file.js';
export * from './params/secret.js';
export * from './exec/exec.js';
export * from './storage/backend.js';
export * from './storage/path.js';
export * from './storage/user-path.js';
export * from './params/storage-path.js';
export * from './results/mime.js';
export * from './runtime/context.js';
export * from './runtime/local-results.js';
export * from './storage/inputs.js';
