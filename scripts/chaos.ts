/**
 * `npm run chaos`: the production build (`next build`, then `next start`) on
 * the local stack under 2,000 jobs from its real producers while faults
 * overlap, then the invariant table. Exits 1 when an invariant is broken.
 *
 *   npm run chaos                 # builds first
 *   npm run chaos -- --no-build   # reuse the existing .next build
 *   npm run chaos -- --profile ci # the smaller run CI does
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { CI_PROFILE, FULL_PROFILE } from "./lib/chaos/profile";
import { formatResult } from "./lib/chaos/report";
import { runChaos } from "./lib/chaos/run";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { "no-build": { type: "boolean" }, profile: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log("Usage: npm run chaos [-- --no-build] [-- --profile full|ci]");
    return 0;
  }
  const profile =
    values.profile === "ci" ? CI_PROFILE : values.profile === undefined || values.profile === "full" ? FULL_PROFILE : null;
  if (!profile) {
    console.error(`unknown --profile ${values.profile}; use full or ci`);
    return 2;
  }
  if (!values["no-build"]) {
    console.log("next build …");
    const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
    const build = spawnSync(process.execPath, [nextBin, "build"], {
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    if (build.status !== 0) {
      console.error("next build failed");
      return 1;
    }
  }
  const result = await runChaos(profile, { log: (line) => console.log(`  ${line}`) });
  console.log(formatResult(result));
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
