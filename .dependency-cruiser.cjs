// The layer rules of calsync (docs/ARCHITECTURE.md, "Layers"), checked by test/architecture/layers.test.ts
// in `npm test`, so a back-arrow fails CI. Run by hand: npx depcruise src --config .dependency-cruiser.cjs
//
// From the bottom up: appointments (pure domain) · calcom (Cal.com's wire format) · store · intake ·
// sinks, reconcile · http (routes) · features (what a configured capability adds) · compose, app, main, cli.
// A module may import from its own layer and below. src/feature.ts (the Feature and Worker types) sits
// below http/, so sinks/, reconcile/ and intake/ reach the assembly only through it.
/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const forbidden = [
  {
    name: 'no-circular',
    severity: 'error',
    comment: 'A cycle makes the layers meaningless and the load order fragile.',
    from: { path: '^src/' },
    to: { circular: true },
  },
  {
    name: 'features-below-http',
    severity: 'error',
    comment: 'sinks/, reconcile/ and intake/ never import http/ or the assembly (app.ts, compose.ts, features/); they get what they need as arguments, and import Worker and the feature types from src/feature.ts.',
    from: { path: '^src/(sinks|reconcile|intake)/' },
    to: { path: '^src/(http/|features/|app\\.ts$|compose\\.ts$|main\\.ts$|cli/)' },
  },
  {
    name: 'feature-types-stay-below-http',
    severity: 'error',
    comment: 'src/feature.ts (Feature, Worker, RouteDeps) is what sinks/, reconcile/ and http/ import from the assembly; it imports none of them (of sinks/ only the contract and the registry).',
    from: { path: '^src/feature\\.ts$' },
    to: { path: '^src/(http|reconcile|features|cli)/|^src/(app|compose|main)\\.ts$|^src/sinks/(?!(sink|registry)\\.ts$)' },
  },
  {
    name: 'http-reaches-features-through-the-interface',
    severity: 'error',
    comment: 'http/ gets its routes from features through src/feature.ts; it never imports a feature, compose.ts or app.ts.',
    from: { path: '^src/http/' },
    to: { path: '^src/(features/|app\\.ts$|compose\\.ts$|main\\.ts$|cli/)' },
  },
  {
    name: 'routes-do-not-import-routes',
    severity: 'error',
    comment: 'A route module registers routes; what two routes share lives in a module of its own (src/http/*.ts, or a service below http/).',
    from: { path: '^src/http/routes/' },
    to: { path: '^src/http/routes/' },
  },
  {
    name: 'appointments-is-pure',
    severity: 'error',
    comment: 'The domain (src/appointments/) does no I/O and knows no wire format: it imports nothing from the other layers.',
    from: { path: '^src/appointments/' },
    to: { path: '^src/(?!appointments/)' },
  },
  {
    name: 'appointments-does-no-io',
    severity: 'error',
    comment: 'The domain does no I/O: no database drivers, no HTTP, no file system.',
    from: { path: '^src/appointments/' },
    to: { dependencyTypes: ['npm', 'npm-dev', 'core'] },
  },
  {
    name: 'calcom-is-the-wire-format-only',
    severity: 'error',
    comment: "src/calcom/ reads and writes Cal.com's formats; it knows nothing of intake, the store, sinks or HTTP routes.",
    from: { path: '^src/calcom/' },
    to: { path: '^src/(intake|store|sinks|http|reconcile|features)/' },
  },
  {
    name: 'store-is-the-bottom',
    severity: 'error',
    comment: 'The store is used by everything above it and uses none of them.',
    from: { path: '^src/store/' },
    to: { path: '^src/(intake|sinks|http|reconcile|features|cli)/|^src/(app|compose|main|feature|metrics)\\.ts$' },
  },
  {
    name: 'drivers-only-in-store',
    severity: 'error',
    comment: 'Only src/store/ talks to a database driver; everything else goes through the store interface.',
    from: { path: '^src/', pathNot: '^src/store/' },
    to: { path: '(^|/)node_modules/(@types/)?(pg|better-sqlite3|pg-pool|pg-protocol)/' },
  },
  {
    name: 'metrics-below-http-and-sinks',
    severity: 'error',
    comment: 'src/metrics.ts is counted into by intake, routes and sinks: it imports nothing from http/, and of sinks/ only the contract (sink.ts) and the registry of names (registry.ts), never a sink.',
    from: { path: '^src/metrics\\.ts$' },
    to: { path: '^src/(http|features)/|^src/sinks/(?!(sink|registry)\\.ts$)' },
  },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a type from http/ in sinks/ is as much a back-arrow as a value.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};
