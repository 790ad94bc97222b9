import { expect, test } from "vitest";
import { stageOutboxEntries } from "@/lib/job-runtime";
import { signUp } from "@/lib/flows/sign-up";
import { durableQueue } from "@/lib/jobs/outbox";
import { welcomeEmail } from "@/lib/jobs/welcome-email";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// While QStash refuses connections, the outbox's publish costs one attempt: the
// entry waits in Redis for a sweep, so the SDK's backoff (about 4 s over five
// retries) would only hold up the producer's answer. Plain `enqueue` has no
// such fallback and keeps the SDK's retries. Counted in attempts, not time.

const running = setupStackAndApp({ reset: ["qstash", "redis"] });

const refused = () => running.stack.qstash.faults.state().injected.publishRefused;
const payload = (n: number) => ({ userId: `usr_${n}`, email: `user${n}@example.com`, name: `User ${n}` });

test("a refused outbox publish is tried once and the entry waits for the sweep", async () => {
  const { services } = running.app;
  const queue = durableQueue(services);
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  const entries = [queue.prepare(welcomeEmail, payload(1)), queue.prepare(welcomeEmail, payload(2))];
  await stageOutboxEntries(services.redis.multi(), entries).exec();

  const before = refused();
  const result = await queue.publish(entries);

  expect(result.pending.sort()).toEqual(entries.map((entry) => entry.id).sort());
  expect(refused() - before).toBe(entries.length);
  expect(await queue.depth()).toMatchObject({ pending: 2 });
});

test("a sign-up while QStash refuses connections makes one publish attempt per email: welcome and verification", async () => {
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  const before = refused();
  const result = await signUp(running.app.services, { name: "Ada", email: "ada@example.com", password: "lovelace-1815" });

  expect(result).toMatchObject({ ok: true, outcome: "created", welcomeMessageId: null, verifyMessageId: null });
  expect(refused() - before).toBe(2);
  expect(await durableQueue(running.app.services).depth()).toMatchObject({ pending: 2 });
});

test("plain enqueue still retries a refused connection", async () => {
  const { services } = running.app;
  running.stack.qstash.faults.set({ publishOutage: { mode: "refuse" } });
  // The outage ends right after its first refusal: only the SDK's retry can still get the job out.
  running.stack.qstash.events.once("fault", () => running.stack.qstash.faults.stopPublishOutage());

  const before = refused();
  const { messageId } = await services.queue.enqueue(welcomeEmail, payload(3));

  expect(refused() - before).toBe(1);
  expect(messageId).toMatch(/\S/);
});
