import { defineConfig } from 'vitest/config';

// One run over every package. Integration tests import the built packages (dist), so
// `npm test` builds first; peers that are missing are skipped and listed at the end, or fail
// the run when VOCLOUD_REQUIRE_PEERS=1 (CI).
export default defineConfig({
  test: {
    include: ['sdk/test/**/*.test.ts', 'core/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    setupFiles: ['tests/support/failure-log.ts'],
    reporters: ['default'],
  },
});
