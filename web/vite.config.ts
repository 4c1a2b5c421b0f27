import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));

/** Text files worth compressing (images and fonts are compressed already). */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;

/**
 * Writes `.br` and `.gz` beside every text asset once the bundle is written, so the server
 * (@fastify/static with preCompressed) sends them to browsers that accept them without compressing
 * on each request. Node's zlib: no extra dependency.
 */
function precompress(): Plugin {
  return {
    name: 'bedrock-insights-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (COMPRESSIBLE.test(name) && statSync(path).size >= 1024) {
            const body = readFileSync(path);
            writeFileSync(`${path}.gz`, gzipSync(body, { level: 9 }));
            writeFileSync(`${path}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
          }
        }
      };
      walk(outDir);
    },
  };
}

// The console is built into dist/web, which the Fastify server (src/api) serves.
export default defineConfig({
  root,
  plugins: [react(), precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
