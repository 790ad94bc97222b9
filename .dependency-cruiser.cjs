/**
 * The layers of docs/architecture.md as rules, checked by `npm run lint:deps`
 * and tests/unit/architecture.test.ts:
 *
 *   app/ → lib/services.ts, lib/job-route-deps.ts (composition root) → lib/flows/ (producers)
 *        → lib/jobs/ (job definitions) → lib/<domain>/ → lib/job-runtime/
 *
 * local/ stands apart: only scripts, tests and the bench start it.
 */
const ROOT = "^lib/(services|job-route-deps)\\.ts$";
const DOMAIN = "^lib/(?!job-runtime/|jobs/|flows/|(services|job-route-deps)\\.ts$)";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle, type-only ones included, couples modules both ways.",
      from: {},
      to: { circular: true },
    },
    {
      name: "runtime-is-the-floor",
      severity: "error",
      comment: "lib/job-runtime/ imports nothing of the app's: what it needs is passed in.",
      from: { path: "^lib/job-runtime/" },
      to: { path: "^(lib/(?!job-runtime/)|app/|local/)" },
    },
    {
      name: "domain-below-jobs",
      severity: "error",
      comment: "Domain modules are used by jobs and flows, never the other way round.",
      from: { path: DOMAIN },
      to: { path: `^lib/(jobs|flows)/|${ROOT}` },
    },
    {
      name: "jobs-below-flows",
      severity: "error",
      comment: "Job definitions run work; producers (lib/flows) publish them.",
      from: { path: "^lib/jobs/" },
      to: { path: `^lib/flows/|${ROOT}` },
    },
    {
      name: "flows-below-the-root",
      severity: "error",
      comment: "Only app/ (and tests) pick implementations through lib/services.ts.",
      from: { path: "^lib/flows/" },
      to: { path: ROOT },
    },
    {
      name: "lib-not-app",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^app/" },
    },
    {
      name: "local-stands-apart",
      severity: "error",
      comment: "The app reaches the local stack only through the URLs in its environment.",
      from: { path: "^(app|lib)/" },
      to: { path: "^local/" },
    },
    {
      name: "bench-not-tests",
      severity: "error",
      comment: "Benchmarks share code with tests through local/ and lib/, not test helpers.",
      from: { path: "^bench/" },
      to: { path: "^tests/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
    exclude: { path: "(^|/)(node_modules|\\.next|\\.local)/" },
  },
};
