import { joinStoragePath } from '@vocloud/sdk';

/**
 * Where a job's files live in storage. One folder per job, so destruction removes everything
 * with one recursive delete.
 */
export const jobFiles = {
  root: (jobId: string): string => joinStoragePath('jobs', jobId),
  uploads: (jobId: string): string => joinStoragePath('jobs', jobId, 'uploads'),
  upload: (jobId: string, parameter: string): string => joinStoragePath('jobs', jobId, 'uploads', parameter),
  results: (jobId: string): string => joinStoragePath('jobs', jobId, 'results'),
  result: (jobId: string, name: string): string => joinStoragePath('jobs', jobId, 'results', name),
};
