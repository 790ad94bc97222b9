import { describe, expect, test } from "vitest";
import { recordEmail } from "@/lib/email-log/store";
import { handleEmailLogRequest } from "@/lib/job-status/email-log";
import { testEnv } from "../../helpers/env";
import { fakeServices } from "../../helpers/fake-services";
import { setupMemoryRedis } from "../../helpers/msw";

const TOKEN = "admin-token-0123456789";
const env = testEnv({ ADMIN_TOKEN: TOKEN });
const { redis } = setupMemoryRedis(env.UPSTASH_REDIS_REST_URL);

const request = (path: string, token?: string) =>
  new Request(`https://app.test/api/email-log/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

describe("GET /api/email-log/[userId]", () => {
  const { services } = fakeServices({ env });

  test("401 without the admin token; nothing read", async () => {
    expect((await handleEmailLogRequest(request("usr_1"), "usr_1", services)).status).toBe(401);
    expect((await handleEmailLogRequest(request("usr_1", "nope-nope-nope-nope"), "usr_1", services)).status).toBe(401);
    expect(redis.commands).toBe(0);
  });

  test("lists the user's log newest first, honouring limit", async () => {
    const base = { job: "purchase-confirmation", userId: "usr_1", to: "ada@example.com", attempts: 1, messageId: "m" };
    await recordEmail(services.redis, { ...base, key: "k1", subject: "First", status: "sent", resendId: "e1" }, 1_000);
    await recordEmail(services.redis, { ...base, key: "k2", subject: "Second", status: "failed", lastError: "boom" }, 2_000);

    const all = await handleEmailLogRequest(request("usr_1", TOKEN), "usr_1", services);
    expect(all.status).toBe(200);
    const body = (await all.json()) as { userId: string; entries: Array<{ subject: string; status: string }> };
    expect(body.userId).toBe("usr_1");
    expect(body.entries.map((entry) => [entry.subject, entry.status])).toEqual([
      ["Second", "failed"],
      ["First", "sent"],
    ]);
    const one = await handleEmailLogRequest(request("usr_1?limit=1", TOKEN), "usr_1", services);
    expect(((await one.json()) as { entries: unknown[] }).entries).toHaveLength(1);
  });

  test("400 for a malformed user id", async () => {
    expect((await handleEmailLogRequest(request("x", TOKEN), "../etc", services)).status).toBe(400);
  });
});
