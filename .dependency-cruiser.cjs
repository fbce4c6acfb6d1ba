// Module boundaries of the monorepo, checked by `pnpm lint` (dependency-cruiser). Why each rule holds:
// docs/adr/0022-dependency-rules.md.
//
// Tool code (e2e/, ops/, bench/, scripts/) starts the apps and prepares their databases, so it may
// import apps. Importing only what an app publishes (its package.json `exports`, e.g.
// `@platform/oauth-service/testing`) is the aim, but it is not enforced: the harnesses read app
// internals (configuration shapes, migrations, the kline ingestor) in some twenty places, and each
// needs its own published seam first. What is enforced is the other direction: nothing the
// platform runs (apps/, packages/) imports tool code.

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-app-imports',
      comment:
        "An app is deployed on its own: importing another app's src/ couples two deployables through " +
        "code that is nobody's API. Shared code goes in packages/, API types come from the OpenAPI documents.",
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'packages-do-not-import-apps',
      comment:
        'Packages are the shared foundation every app builds on; one that imports an app turns the ' +
        'dependency graph upside down and drags that app into every other app.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'runtime-code-does-not-import-tool-code',
      comment:
        'e2e/, ops/, bench/ and scripts/ are tests and tools: they are not shipped in images, so ' +
        'apps and packages importing them would break in production.',
      severity: 'error',
      from: { path: '^(apps|packages)/' },
      to: { path: '^(e2e|ops|bench|scripts)/' },
    },
    {
      name: 'routes-do-not-query',
      comment:
        'SQL lives in repositories (*.repository.ts): a route module validates, authorises and answers, ' +
        'so it never imports Kysely or @platform/db query builders. One place per table keeps queries ' +
        'testable on both dialects and findable.',
      severity: 'error',
      from: { path: '\\.routes\\.ts$' },
      to: { path: ['(^|/)node_modules/kysely/', '^packages/db/'] },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle means neither module can be understood, tested or moved without the other, and ES ' +
        'modules in a cycle can see each other half-initialised. Type-only imports vanish at run time ' +
        'and do not count.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    exclude: {
      path: '(^|/)(node_modules|\\.next|dist|coverage|target|\\.turbo)/',
    },
    doNotFollow: { path: '(^|/)node_modules/' },
    // Type-only imports count (a route importing `type Kysely` still writes SQL); the cycle rule
    // leaves them out itself.
    tsPreCompilationDeps: true,
    // Workspace packages (`@platform/*`) resolve through their package.json `exports` to src/*.ts,
    // the way Node runs them; `.ts` extensions are written in every import.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts', '.json'],
    },
    skipAnalysisNotInRules: true,
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'content' },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
