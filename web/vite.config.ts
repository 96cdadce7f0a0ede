import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The UI is served by core at / (core/src/http/web-ui.ts); everything is bundled, nothing comes
// from a CDN. `npm run dev -w @vocloud/web` proxies the API to a server on VOCLOUD_URL.
const api = process.env.VOCLOUD_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    target: 'es2022',
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: Object.fromEntries(['/api', '/uws', '/graphql', '/docs'].map((p) => [p, { target: api, changeOrigin: false, ws: p === '/graphql' }])),
  },
});
