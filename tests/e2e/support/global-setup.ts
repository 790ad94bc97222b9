import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Builds the app once for every e2e file (`next build` takes most of a minute).
 * Set E2E_SKIP_BUILD=1 to reuse an existing .next build while iterating.
 */
export default function setup() {
  if (process.env.E2E_SKIP_BUILD === "1") return;
  const nextBin = createRequire(import.meta.url).resolve("next/dist/bin/next");
  const result = spawnSync(process.execPath, [nextBin, "build"], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
}
