import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { signIn } from "@/lib/flows/sign-in";
import { SIGN_IN_ACCOUNT_LIMIT, SIGN_IN_IP_LIMIT } from "@/lib/auth/signin-limit";
import { createUser } from "@/lib/users/store";
import { expectNoSideEffects } from "./support";
import { setupStackAndApp } from "../../helpers/stack-and-app";

// Password guessing and account enumeration (attack 2): every attempt counts
// against the address and the client IP in Redis through @upstash/ratelimit,
// and an unknown address costs the same password hash as a known one.

const WINDOW_START = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 60_000;

beforeAll(() => {
  // @upstash/ratelimit reads Date.now(): pin it so every attempt falls in one 15-minute window.
  vi.useFakeTimers({ toFake: ["Date"], now: WINDOW_START });
});
// Registered first, so it runs after the stack and app are closed.
afterAll(() => {
  vi.useRealTimers();
});
const running = setupStackAndApp({ app: { services: { clock: { now: () => Date.now() } } } });
beforeAll(async () => {
  const created = await createUser(
    running.app.services.redis,
    { email: "victim@example.com", name: "Victim", password: "correct horse battery", locale: "en", timeZone: "UTC" },
    Date.now(),
  );
  if (!created.ok) throw new Error("user exists");
});
beforeEach(async () => {
  await running.app.services.redis.eval(
    "for _, k in ipairs(redis.call('KEYS', 'ratelimit:sign-in*')) do redis.call('DEL', k) end return 1",
    [],
    [],
  );
});

const attempt = (email: string, password: string, ip = "198.51.100.1") =>
  signIn(running.app.services, { email, password, ip, userAgent: "test" });
/** The refusal message, or null when the sign-in succeeded. */
const refusal = async (email: string, password: string, ip?: string) => {
  const result = await attempt(email, password, ip);
  return result.ok ? null : result.error;
};

describe("sign-in throttling", () => {
  test(`a ${SIGN_IN_ACCOUNT_LIMIT + 1}th guess at one account within the window is refused with how long to wait`, async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT; i++) {
      expect(await attempt("victim@example.com", `guess-${i}`)).toEqual({
        ok: false,
        error: "That email and password don't match an account.",
      });
    }
    const refused = await attempt("victim@example.com", "guess-last");
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Too many sign-in attempts\. Try again in (1[0-5]|[1-9]) minutes?\.$/),
    });
  });

  test("once locked, even the right password is refused, and no session is created", async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT; i++) await attempt("victim@example.com", `guess-${i}`);
    const sessionsBefore = (await running.app.services.redis.keys("session:*")).length;
    const locked = await attempt("victim@example.com", "correct horse battery");
    expect(locked.ok).toBe(false);
    expect((await running.app.services.redis.keys("session:*")).length).toBe(sessionsBefore);
  });

  test("the lock-out doesn't depend on spelling: case and spaces count as the same account", async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT; i++)
      await attempt(i % 2 ? " VICTIM@example.com" : "victim@EXAMPLE.com ", `guess-${i}`);
    expect(await refusal("victim@example.com", "guess")).toMatch(/^Too many/);
  });

  test("an unknown address is locked the same way, so the lock-out reveals nothing", async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT; i++) {
      expect(await refusal("nobody@example.com", `guess-${i}`)).toBe("That email and password don't match an account.");
    }
    expect(await refusal("nobody@example.com", "guess")).toMatch(/^Too many/);
  });

  test("one IP spraying many accounts is refused after the per-IP limit", async () => {
    for (let i = 0; i < SIGN_IN_IP_LIMIT; i++) {
      expect(await refusal(`user${i}@example.com`, "Password1!", "203.0.113.9")).not.toMatch(/^Too many/);
    }
    expect(await refusal("user-last@example.com", "Password1!", "203.0.113.9")).toMatch(/^Too many/);
    // Another client is not affected.
    expect((await attempt("victim@example.com", "correct horse battery", "203.0.113.10")).ok).toBe(true);
  });

  test("a correct password clears the account's count: a real user who mistypes is not locked out", async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT - 1; i++) await attempt("victim@example.com", `typo-${i}`);
    expect((await attempt("victim@example.com", "correct horse battery")).ok).toBe(true);
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT - 1; i++) await attempt("victim@example.com", `typo-${i}`);
    expect((await attempt("victim@example.com", "correct horse battery")).ok).toBe(true);
  });

  test("a throttled attempt queues no email and writes nothing beyond the counters", async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT_LIMIT; i++) await attempt("victim@example.com", `guess-${i}`);
    const snapshotKeys = async () =>
      (await running.app.services.redis.keys("*")).filter((key) => !String(key).startsWith("ratelimit:")).sort();
    const keysBefore = await snapshotKeys();
    const emailsBefore = running.stack.resend.emails().length;
    expect((await attempt("victim@example.com", "correct horse battery")).ok).toBe(false);
    await running.stack.qstash.idle();
    expect(await snapshotKeys()).toEqual(keysBefore);
    expect(running.stack.resend.emails().length).toBe(emailsBefore);
  });
});

describe("account enumeration by timing", () => {
  test("an unknown address runs the same password hash as a wrong password for a known one", async () => {
    const derive = vi.spyOn(crypto.subtle, "deriveBits");
    try {
      await attempt("warm-up@example.com", "x"); // the dummy hash is made once, on first use
      derive.mockClear();
      await attempt("nobody-at-all@example.com", "wrong password");
      const unknown = derive.mock.calls.map((call) => (call[0] as Pbkdf2Params).iterations);
      derive.mockClear();
      await attempt("victim@example.com", "wrong password");
      const known = derive.mock.calls.map((call) => (call[0] as Pbkdf2Params).iterations);
      expect(known).toHaveLength(1);
      expect(unknown).toEqual(known);
    } finally {
      derive.mockRestore();
    }
  });

  test("a malformed sign-in (empty password) is refused before touching Redis", async () => {
    const result = await expectNoSideEffects(running.stack, running.app.services.redis, () => attempt("victim@example.com", ""));
    expect(result).toEqual({ ok: false, error: "Enter your password" });
  });
});
