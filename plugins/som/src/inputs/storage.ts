/** Storage inputs come from the sdk (shared with the other plugins). */
export { storageInputs, storageFile, type LocalInput, type StorageInputOptions } from '@vocloud/sdk';
