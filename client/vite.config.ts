import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const clientRoot = fileURLToPath(new URL('.', import.meta.url));
/** The service during `npm run dev:client`; the built UI is served by the service itself. */
const apiTarget = process.env.API_URL ?? 'http://localhost:4001';

export default defineConfig({
  root: clientRoot,
  // Keep Vite's and Vitest's caches with the repository's node_modules, not in client/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite', import.meta.url)),
  plugins: [react()],
  // The seed's import paths: `@/components/integrations/IntegrationsList`.
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      '/graphql': { target: apiTarget, ws: true, changeOrigin: true },
      '/auth': { target: apiTarget, changeOrigin: true },
      '/oauth': { target: apiTarget, changeOrigin: true },
    },
  },
  test: {
    root: clientRoot,
    environment: 'jsdom',
    include: ['src/**/*.test.tsx'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
