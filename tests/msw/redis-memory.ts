import { http, HttpResponse } from "msw";
import { createEmbeddedEngine } from "@/local/redis/embedded-engine";
import type { Engine } from "@/local/redis/engine";
import { encodeOutcome, parseBatch, parseSingle } from "@/local/redis/protocol";
import { ScriptCache, withScripts } from "@/local/redis/scripts";

/**
 * A working Upstash Redis REST endpoint inside msw, backed by the local
 * emulator's in-memory engine: unit tests run real commands and Lua without a
 * socket. `flush()` empties it between tests.
 */
export function memoryRedis(baseUrl: string) {
  const engine: Engine = withScripts(createEmbeddedEngine(), new ScriptCache(), { proxied: false });
  let commands = 0;

  const answer = async (request: Request, mode: "single" | "pipeline" | "multi") => {
    const text = await request.text();
    const base64 = (request.headers.get("upstash-encoding") ?? "").toLowerCase() === "base64";
    try {
      if (mode === "single") {
        commands++;
        const [outcome] = await engine.exec([parseSingle(text)], false);
        return HttpResponse.json(encodeOutcome(outcome!, base64) as never, { status: "error" in outcome! ? 400 : 200 });
      }
      const batch = parseBatch(text);
      commands += batch.length;
      const outcomes = await engine.exec(batch, mode === "multi");
      return HttpResponse.json(outcomes.map((outcome) => encodeOutcome(outcome, base64)) as never);
    } catch (error) {
      return HttpResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status: 400 });
    }
  };

  return {
    handlers: [
      http.post(`${baseUrl}/pipeline`, ({ request }) => answer(request, "pipeline")),
      http.post(`${baseUrl}/multi-exec`, ({ request }) => answer(request, "multi")),
      http.post(`${baseUrl}/`, ({ request }) => answer(request, "single")),
      http.post(baseUrl, ({ request }) => answer(request, "single")),
    ],
    /** Commands run so far (a pipeline counts each command). */
    get commands() {
      return commands;
    },
    async flush() {
      commands = 0;
      await engine.flush();
    },
  };
}
