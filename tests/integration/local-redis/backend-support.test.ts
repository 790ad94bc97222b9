import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { embeddedCommandNames } from "@/local/redis/embedded-engine";
import { CONNECTION_STATE_COMMANDS } from "@/local/redis/engine";

// The "Backend support" table in local/redis/README.md is generated from the
// engine's own command tables, so it cannot drift from the code. After adding a
// command, refresh it with: UPDATE_DOCS=1 npx vitest run tests/integration/local-redis/backend-support.test.ts

const README = new URL("../../../local/redis/README.md", import.meta.url);
const START = "<!-- backend-support:start -->";
const END = "<!-- backend-support:end -->";

const list = (names: string[]) => names.map((name) => `\`${name.toUpperCase()}\``).join(", ");

function supportTable(): string {
  const { own, mock: fromMock } = embeddedCommandNames();
  // Refused and script commands never reach the mock; they have rows of their own.
  const mock = fromMock.filter((name) => !CONNECTION_STATE_COMMANDS.has(name) && !/^(eval|evalsha|script)/.test(name));
  const json = own.filter((name) => name.startsWith("json."));
  const ownRedis = own.filter((name) => !name.startsWith("json."));
  return [
    START,
    "| | Embedded engine | Proxied to a real Redis (`REDIS_URL`, or the `redis-server` `npm run dev` starts) |",
    "| --- | --- | --- |",
    `| Commands the engine implements itself (checked against \`redis-server\` by the differential test) | ${list(ownRedis)} | every command of that Redis |`,
    `| Commands run on ioredis-mock's implementation | ${list(mock)} | every command of that Redis |`,
    `| Upstash's JSON (\`redis.json.*\`) | ${list(json)} | only with the RedisJSON module (Redis Stack, Redis 8); a stock \`redis-server\` answers one error saying so |`,
    "| `/subscribe`, `/psubscribe` streams (`redis.subscribe`, `redis.psubscribe`) | yes | yes |",
    "| Scripts: `EVAL`, `EVALSHA`, `EVAL_RO`, `EVALSHA_RO`, `SCRIPT LOAD/EXISTS/FLUSH` | yes (Lua 5.4, see below) | yes |",
    `| Refused on every backend (they need a connection of their own) | ${list([...CONNECTION_STATE_COMMANDS].sort())} | same |`,
    "| Anything else (`SORT`, `OBJECT`, hash-field TTLs such as `HEXPIRE`, `SEARCH.*`) | `ERR unknown command …` naming how to get a real Redis | what that Redis supports |",
    END,
  ].join("\n");
}

describe("local/redis/README.md backend support table", () => {
  it("lists exactly the commands each backend answers", () => {
    const text = readFileSync(README, "utf8");
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, "README has the generated block").toBeGreaterThanOrEqual(0);
    const current = text.slice(start, end + END.length);
    const expected = supportTable();
    if (process.env.UPDATE_DOCS === "1" && current !== expected) {
      writeFileSync(README, text.replace(current, expected));
      return;
    }
    expect(current).toBe(expected);
  });
});
