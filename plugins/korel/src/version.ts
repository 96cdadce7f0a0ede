/** The plugin's version, reported in korel.res and the job type. */
export const VERSION = '0.1.0';
