import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";

// The dependency arrows of docs/architecture.md, checked on every test run.
const root = join(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map(
    (match) => match[1] ?? match[2]!,
  );
}

function resolvesInto(file: string, specifier: string, folder: string): boolean {
  if (specifier.startsWith("@/")) return specifier.slice(2).startsWith(`${folder}/`);
  if (!specifier.startsWith(".")) return false;
  return relative(root, join(root, file, "..", specifier)).startsWith(`${folder}/`);
}

describe("dependency direction", () => {
  const app = sourceFiles("app");
  const lib = sourceFiles("lib");

  test("nothing in app/ or lib/ imports local/", () => {
    const offenders = [...app, ...lib].flatMap((file) =>
      imports(file).filter((spec) => resolvesInto(file, spec, "local")).map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  test("lib/ never imports app/", () => {
    const offenders = lib.flatMap((file) =>
      imports(file).filter((spec) => resolvesInto(file, spec, "app")).map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  test("lib/ uses Web APIs only, so every job also runs on the Edge runtime", () => {
    const offenders = lib.flatMap((file) =>
      imports(file).filter((spec) => spec.startsWith("node:")).map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  test("the job runtime traces through @opentelemetry/api alone, so no SDK is bundled into a job route", () => {
    const runtime = sourceFiles("lib").filter((file) => file.startsWith("lib/job-runtime/"));
    const offenders = runtime.flatMap((file) =>
      imports(file)
        .filter((spec) => (spec.startsWith("@opentelemetry/") && spec !== "@opentelemetry/api") || spec.startsWith("@vercel/otel"))
        .map((spec) => `${file} → ${spec}`),
    );
    expect(offenders).toEqual([]);
  });
});

