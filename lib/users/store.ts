import * as z from "zod/mini";
import { OUTBOX_ADD_LUA, withOutboxEntry, type OutboxEntry, type Redis } from "../job-runtime";
import { hashPassword, verifyPassword } from "./password";

export const LOCALES = ["en", "mn"] as const;
export type Locale = (typeof LOCALES)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  locale: Locale;
  /** IANA zone used to show times in emails, e.g. Asia/Ulaanbaatar. */
  timeZone: string;
  createdAt: number;
  /** When the owner proved they receive mail at `email` (Unix ms); absent until then. */
  emailVerifiedAt?: number;
}

const storedUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  locale: z.catch(z.enum(LOCALES), "en"),
  timeZone: z.catch(z.string(), "UTC"),
  createdAt: z.coerce.number(),
  emailVerifiedAt: z.optional(z.coerce.number()),
  passwordHash: z.optional(z.string()),
  verifyTokenHash: z.optional(z.string()),
});

export const userKey = (id: string) => `user:${id}`;
const emailKey = (email: string) => `user:by-email:${email.toLowerCase()}`;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Claims the address and writes the user in one script, so two parallel
 * sign-ups for one address can't both win and a crash leaves no half user.
 * `followUp` is the job the new account owes (the welcome email), recorded in
 * the outbox by the same script: the account and its job exist together or not at all.
 */
const CREATE_USER = `${OUTBOX_ADD_LUA}
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
local fields = {}
for i = 3, 2 + tonumber(ARGV[2]) do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
if ARGV[#ARGV - 3] == '1' then outbox_add() end
return 1`;

export async function createUser(
  redis: Redis,
  input: { email: string; name: string; password: string; locale: Locale; timeZone: string },
  nowMs: number,
  followUp?: (user: User) => OutboxEntry,
): Promise<{ ok: true; user: User; followUp?: OutboxEntry } | { ok: false; reason: "email_taken" }> {
  const email = normalizeEmail(input.email);
  const id = `usr_${crypto.randomUUID().replaceAll("-", "")}`;
  // The password is hashed before the script runs, so a taken address costs the same time as a new one.
  const user: User = { id, email, name: input.name.trim(), locale: input.locale, timeZone: input.timeZone, createdAt: nowMs };
  const fields = Object.entries({ ...user, passwordHash: await hashPassword(input.password) }).flatMap(([name, value]) => [
    name,
    String(value),
  ]);
  const entry = followUp?.(user);
  // Without a follow-up a placeholder entry keeps the script's argument layout; the flag says to skip it.
  const { keys, args } = withOutboxEntry(
    [emailKey(email), userKey(id)],
    [id, fields.length, ...fields, entry ? "1" : "0"],
    entry ?? NO_ENTRY,
  );
  const created = await redis.eval(CREATE_USER, keys, args);
  if (Number(created) !== 1) return { ok: false, reason: "email_taken" };
  return { ok: true, user, ...(entry && { followUp: entry }) };
}

const NO_ENTRY: OutboxEntry = { id: "none", jobName: "none", createdAt: 0, request: { url: "none" } };

export async function getUser(redis: Redis, id: string): Promise<User | null> {
  const raw = await redis.hgetall(userKey(id));
  if (!raw || Object.keys(raw).length === 0) return null;
  const { passwordHash: _ignored, verifyTokenHash: _pending, ...user } = storedUser.parse(raw);
  return user;
}

export async function findUserIdByEmail(redis: Redis, email: string): Promise<string | null> {
  const id = await redis.get<string>(emailKey(normalizeEmail(email)));
  return id ? String(id) : null;
}

let dummyHash: Promise<string> | undefined;

/** A real hash (same scheme and work factor as stored ones) of a random password nobody knows. */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  return dummyHash;
}

/** Returns the user when the password matches; null otherwise (unknown email included). */
export async function authenticate(redis: Redis, email: string, password: string): Promise<User | null> {
  const id = await findUserIdByEmail(redis, email);
  // Same reads for a known and an unknown address; "usr_none" never exists.
  const raw = await redis.hgetall(userKey(id ?? "usr_none"));
  const parsed = raw && Object.keys(raw).length > 0 ? storedUser.safeParse(raw) : null;
  const storedHash = parsed?.success ? parsed.data.passwordHash : undefined;
  // An unknown address costs the same full hash as a wrong password, so timing doesn't tell which addresses exist.
  const matches = await verifyPassword(password, storedHash ?? (await dummyPasswordHash()));
  if (!storedHash || !parsed?.success || !matches) return null;
  const { passwordHash: _ignored, verifyTokenHash: _pending, ...user } = parsed.data;
  return user;
}
