// Bundles the Node CLI (train / forward / bench) into one file, WGSL inlined, only `webgpu`
// left external, so it runs on a GPU machine that has nothing but Node and that addon.
import { defineConfig } from 'vite';
import { builtinModules } from 'node:module';

export default defineConfig({
  logLevel: 'warn',
  publicDir: false,
  build: {
    ssr: 'src/cli/main.ts',
    outDir: 'dist-cli',
    target: 'node20',
    emptyOutDir: true,
    minify: false,
    rollupOptions: {
      external: ['webgpu', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)],
      output: { entryFileNames: 'cli.mjs', codeSplitting: false },
    },
  },
  ssr: { noExternal: true, external: ['webgpu'] },
});
