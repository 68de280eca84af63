// Bundles the server entry (src/main.ts) into dist/src/main.js, over the file tsc wrote there; runs after
// `tsc -p tsconfig.build.json` in `npm run build` and `prepare`.
//
// Why: start-up was mostly module loading. Unbundled, `node dist/src/main.js` resolves, reads and compiles
// ~830 files (kysely alone is ~260 ESM files, zod ~95, fastify/prom-client/otel ~300 CommonJS files). Bundled,
// the CPU time to ready fell from ~650 ms to ~270 ms and the wall time from ~600 ms to ~300 ms on SQLite, next
// to ~230 ms for a bare Fastify app (issue 14; bench/startup.ts, BENCHMARKS.md "Start-up to ready").
// Everything else in dist/ stays tsc's one-file-per-module output: the CLI (bin/ → dist/src/cli/), the
// benches and the tests' helpers import those; vitest runs src/ directly.
//
// - Native and optional drivers stay external: better-sqlite3 (a .node addon) and pg (loaded only when
//   DATABASE_URL is set; pg-native is its optional peer).
// - Code splitting keeps every `await import(...)` lazy: each becomes a chunk next to main.js
//   (dist/src/bundle-*.js), never loaded when not reached (the PostgreSQL store without DATABASE_URL, the
//   Notion sink and client without NOTION_TOKEN); code both sides share goes into further chunks.
// - src/config.ts stays its own module (dist/src/config.js): `calsync serve` (the unbundled CLI) loads its
//   configuration with it and hands it to this bundle's serve(); sharing the module keeps ConfigError one
//   class, so explainStartupFailure still recognises a configuration error from either side.
// - CommonJS dependencies bundled into ESM call require() for Node built-ins: the banner provides it.
// - Not minified: stack traces in the logs keep readable names and lines (`// src/...` comments mark where
//   each module starts); minifying would save ~20 ms of compile at most.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'dist', 'src');
const CHUNK_PREFIX = 'bundle-';
const configModule = path.join(root, 'src', 'config.ts');

// Chunk names carry a content hash: drop the previous build's so they do not pile up.
if (fs.existsSync(outdir)) {
  for (const f of fs.readdirSync(outdir)) if (f.startsWith(CHUNK_PREFIX)) fs.rmSync(path.join(outdir, f));
}

/** Imports of src/config.ts from any bundled module become `./config.js` (every output file sits in dist/src). */
const configStaysExternal = {
  name: 'config-stays-external',
  setup(build) {
    build.onResolve({ filter: /\/config\.js$/ }, (args) => {
      if (args.kind === 'entry-point' || !args.importer) return undefined;
      const target = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return target === configModule ? { path: './config.js', external: true } : undefined;
    });
  },
};

await esbuild.build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts' },
  outdir,
  entryNames: '[name]',
  chunkNames: `${CHUNK_PREFIX}[name]-[hash]`,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  plugins: [configStaysExternal],
  banner: { js: "import { createRequire as __calsyncCreateRequire } from 'node:module';\nconst require = __calsyncCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
