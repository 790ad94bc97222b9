import { Client } from "@upstash/qstash";
import { afterEach, expect, test } from "vitest";
import { type ChaosStack, startChaosStack } from "@/scripts/lib/chaos/stack";

// The chaos run restarts QStash at milestones that can fall inside its publish outage:
// the outage is the run's fault, so the restarted QStash must keep refusing until the run ends it.

let stack: ChaosStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

test("a QStash restart inside a publish outage keeps the outage, counted as one window", async () => {
  stack = await startChaosStack({ duplicateRate: 0, seed: 1 });
  const publish = () =>
    new Client({ baseUrl: stack!.env.QSTASH_URL!, token: stack!.env.QSTASH_TOKEN!, retry: false }).publishJSON({
      url: "http://127.0.0.1:9/api/jobs/test",
      body: { message: "during the outage" },
      retries: 0,
    });

  stack.qstash().faults.set({ publishOutage: { mode: "refuse", durationMs: 60_000 } });
  await stack.restartQStash();
  await expect(publish()).rejects.toThrow();
  expect(stack.injected()).toMatchObject({ publishOutages: 1, publishesRefused: 1, qstashRestarts: 1 });

  stack.qstash().faults.stopPublishOutage();
  await expect(publish()).resolves.toMatchObject({ messageId: expect.any(String) });
});
