import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findRedisServerBinary, startRedisServer } from "@/local/redis/redis-server";

// The parity suite trusts this helper to find, start and report redis-server;
// these checks use stand-in executables so they run with or without Redis.

describe("local/redis/redis-server", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function fakeBinary(script: string): string {
    dir = mkdtempSync(join(tmpdir(), "fake-redis-"));
    const path = join(dir, "redis-server");
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it("finds redis-server on a PATH and reports null when it is absent", () => {
    const binary = fakeBinary("exit 0");
    expect(findRedisServerBinary(`/nonexistent-dir:${dir}`)).toBe(binary);
    expect(findRedisServerBinary("/nonexistent-dir")).toBeNull();
    expect(findRedisServerBinary("")).toBeNull();
  });

  it("fails with the server's output when it exits before it is ready", async () => {
    const binary = fakeBinary('echo "Fatal: cannot bind"; exit 1');
    await expect(startRedisServer({ binary })).rejects.toThrow(/exited \(1\) before it was ready:\nFatal: cannot bind/);
  });

  it("resolves once the readiness line appears and stops the process", async () => {
    const binary = fakeBinary('echo "* Ready to accept connections tcp"; exec sleep 30');
    const server = await startRedisServer({ binary });
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    await server.stop();
  });
});
