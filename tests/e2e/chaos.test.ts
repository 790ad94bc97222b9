import { describe, expect, it } from "vitest";
import { CI_PROFILE } from "@/scripts/lib/chaos/profile";
import { formatResult } from "@/scripts/lib/chaos/report";
import { runChaos } from "@/scripts/lib/chaos/run";

// `npm run chaos -- --profile ci` inside `npm test`: the production build on the
// local stack under a few hundred jobs while every fault kind happens at least
// once (duplicates, app SIGKILL and restart, Redis outages, Resend errors, 429s,
// outage and slowness past the handlers' limit, QStash restart, publish API
// down). Fails on any broken invariant and on any configured fault that was
// not injected. Each fault starts at a milestone of the run's own progress and
// ends after enough failed requests or its cap, so it lands where traffic is
// however loaded the machine.

describe("chaos run (CI profile)", () => {
  it("loses nothing, sends nothing twice, under every fault kind", { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos(CI_PROFILE, { log: (line) => lines.push(line) });
    const report = `${lines.join("\n")}\n${formatResult(result)}`;
    console.log(report);
    expect(
      result.rows.filter((row) => !row.ok),
      report,
    ).toEqual([]);
  });
});
