// Vite config for the lab page (src/ui). The CLI bundle has its own config (vite.cli.config.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  build: { outDir: 'dist', target: 'es2022', sourcemap: true },
  server: { port: 5173 },
  preview: { port: 5173 },
});
