import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, test } from "vitest";
import { EMAIL_PACE } from "@/lib/email/pace";
import { jobs } from "@/lib/jobs/registry";

/**
 * ADR 0016 over the whole registry: every job that calls Resend shares the one email pace
 * and has retries enough for a 429 to pass. "Calls Resend" is read from the code: the job's
 * handler module, or any lib/ module it imports, calls `EmailSender.send` (`email.send(`),
 * directly or through `sendJobEmail`. Templates are left out (they render, never send).
 */
const ROOT = resolve(import.meta.dirname, "../../..");
const SEND_CALL = /\bemail\.send(?:Batch)?\(|\bsendJobEmail\(/g;

function resolveImport(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? join(ROOT, specifier.slice(2)) : resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) {
    if (candidate.endsWith(".ts") || candidate.endsWith(".tsx")) if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** The handler module and every lib/ module it reaches through value imports (type-only imports send nothing). */
function moduleClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const match of source.matchAll(/^import\s+(?!type\s)[^;]*?from\s+"([^"]+)"/gms)) {
      const specifier = match[1]!;
      if (!specifier.startsWith(".") && !specifier.startsWith("@/")) continue;
      const target = resolveImport(file, specifier);
      if (!target?.startsWith(join(ROOT, "lib")) || target.includes(`${join("lib", "email", "templates")}`)) continue;
      queue.push(target);
    }
  }
  return [...seen];
}

function handlerFile(jobName: string): string {
  return join(ROOT, "lib", "jobs", `${jobName}.handler.ts`);
}

/** Where a job's handler (or what it imports) calls Resend: "file: line" per call site. */
function sendSites(jobName: string): string[] {
  return moduleClosure(handlerFile(jobName)).flatMap((file) => {
    const source = readFileSync(file, "utf8");
    return [...source.matchAll(SEND_CALL)].map((match) => `${file.slice(ROOT.length + 1)}: ${match[0]}`);
  });
}

const registered = Object.values(jobs);
const senders = registered.filter((job) => sendSites(job.name).length > 0);

describe("every job that sends email is paced (ADR 0016)", () => {
  test("each registered job's handler lives where this check reads it", () => {
    for (const job of registered) expect(existsSync(handlerFile(job.name)), job.name).toBe(true);
  });

  test("the check recognises the senders it must (and the report job, which hands its email off)", () => {
    const names = senders.map((job) => job.name);
    expect(names).toEqual(expect.arrayContaining(["welcome-email", "report-ready-email", "notification", "verify-email"]));
    expect(names).not.toContain("generate-report");
    expect(names).not.toContain("cleanup-data");
  });

  test.each(senders.map((job) => [job.name, job]))(
    "%s declares the email pace, no other flow control, and ≥ 3 retries",
    (_name, job) => {
      expect(job.pace?.key).toBe(EMAIL_PACE.key);
      expect(job.flowControl).toBeUndefined();
      expect(job.retries).toBeGreaterThanOrEqual(3);
    },
  );

  test.each(senders.map((job) => [job.name]))(
    "%s makes one Resend request per run: several emails would go as one batch request (one slot of the pace)",
    (name) => {
      // The handler module itself calls the sender once; lib/jobs/send-job-email.ts is the one shared call.
      const own = sendSites(name).filter((site) => site.startsWith(`lib/jobs/${name}.handler.ts`));
      expect(own, own.join("\n")).toHaveLength(1);
    },
  );
});
