// Vite config for the lab page (src/ui). The CLI bundle has its own config (vite.cli.config.ts).
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The built page's Content-Security-Policy, as a meta tag (a static host may not let us set
 * headers). Build only: the dev server injects inline scripts (React refresh) that it would block.
 * No 'unsafe-eval' and no inline scripts; styles allow 'unsafe-inline' because recharts sets
 * style attributes; img-src allows blob: for saving plots as PNG.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'icl-lab-csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    rolldownOptions: {
      // the plotting library (recharts + d3) in its own chunk: the app's code changes more often
      output: {
        codeSplitting: {
          groups: [{ name: 'charts', test: /node_modules[\\/](recharts|d3-|victory-vendor|es-toolkit)/ }],
        },
      },
    },
  },
  server: { port: 5173 },
  preview: { port: 5173 },
});
