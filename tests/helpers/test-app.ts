import { Client } from "@upstash/qstash";
import { parseEnv, type Env } from "@/lib/env";
import { handleJobRequest, type JobRegistry, type JobRouteDeps } from "@/lib/jobs/handle-request";
import { registry as defaultRegistry } from "@/lib/jobs/registry";
import { handleFailureCallback, type FailureCallbackDeps } from "@/lib/qstash/failure-callback";
import { FAILURE_CALLBACK_PATH, JOB_ROUTE_PREFIX } from "@/lib/qstash/urls";
import { verifierFor } from "@/lib/qstash/verify";
import { createServices, type Services } from "@/lib/services";
import { serveFetch, type FetchHandler } from "./http-adapter";
import type { TestStack } from "./stack";

export interface TestApp {
  url: string;
  env: Env;
  services: Services;
  /** A QStash client pointed at the stack (for assertions through the official SDK). */
  qstash: Client;
  close(): Promise<void>;
}

export interface TestAppOptions {
  registry?: JobRegistry;
  /** Extra routes by exact path (e.g. a webhook), served beside the job routes. */
  routes?: Record<string, (request: Request, app: TestApp) => Promise<Response>>;
  env?: Record<string, string>;
  onFirstFailure?: FailureCallbackDeps["onFirstFailure"];
  services?: Partial<Omit<Services, "env">>;
  /** Overrides each job's run budget (e.g. a few ms to test timeouts). */
  budgetMs?: JobRouteDeps["budgetMs"];
}

/**
 * The app's route handlers (from lib/, exactly what app/api wires) on a real
 * HTTP server on 127.0.0.1, with env pointing at the local stack. QStash delivers
 * to it over loopback like it would to Vercel.
 */
export async function startTestApp(stack: TestStack, options: TestAppOptions = {}): Promise<TestApp> {
  const registry = options.registry ?? defaultRegistry;
  let app: TestApp | undefined;
  const handler: FetchHandler = async (request) => {
    if (!app) return new Response("starting", { status: 503 });
    const { pathname } = new URL(request.url);
    const extra = options.routes?.[pathname];
    if (extra) return extra(request, app);
    for (const [runtime, prefix] of Object.entries(JOB_ROUTE_PREFIX) as Array<["nodejs" | "edge", string]>) {
      if (pathname.startsWith(`${prefix}/`) && request.method === "POST") {
        const job = decodeURIComponent(pathname.slice(prefix.length + 1));
        return handleJobRequest(registry, job, request, {
          services: app.services,
          verify,
          runtime,
          ...(options.budgetMs && { budgetMs: options.budgetMs }),
        });
      }
    }
    if (pathname === FAILURE_CALLBACK_PATH && request.method === "POST") {
      return handleFailureCallback(request, { services: app.services, verify, onFirstFailure: options.onFirstFailure });
    }
    return new Response("not found", { status: 404 });
  };
  const server = await serveFetch(handler);
  const env = parseEnv({ ...stack.env, APP_URL: server.url, ...options.env });
  // Verified against real time with no tolerance, exactly like production: the stack signs with
  // wall-clock time even when its own clock has been fast-forwarded.
  const verify = verifierFor(env);
  const services = createServices(env, options.services);
  app = {
    url: server.url,
    env,
    services,
    qstash: new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN, enableTelemetry: false }),
    close: server.close,
  };
  return app;
}
