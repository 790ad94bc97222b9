import { Client } from "@upstash/qstash";
import { parseEnv, type Env } from "@/lib/env";
import {
  handleJobRequest,
  type JobRouteDeps,
  type AnyJobRegistry,
  handleFailureCallback,
  type FailureCallbackDeps,
  FAILURE_CALLBACK_PATH,
  JOB_ROUTE_PREFIX,
  verifierFor,
} from "@/lib/job-runtime";
import { jobs as defaultRegistry } from "@/lib/jobs/registry";
import { createServices, failureCallbackDepsOf, jobRouteDepsOf, type Services } from "@/lib/services";
import { serveFetch, type FetchHandler } from "./http";
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
  registry?: AnyJobRegistry;
  /** Extra routes by exact path (e.g. a webhook), served beside the job routes. */
  routes?: Record<string, (request: Request, app: TestApp) => Promise<Response>>;
  env?: Record<string, string>;
  onFirstFailure?: FailureCallbackDeps["onFirstFailure"];
  /** Run the app's own follow-up (email log, admin alert) on a dead message, as production does. */
  failureFollowUp?: boolean;
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
          ...jobRouteDepsOf(app.services, verify),
          runtime,
          ...(options.budgetMs && { budgetMs: options.budgetMs }),
        });
      }
    }
    if (pathname === FAILURE_CALLBACK_PATH && request.method === "POST") {
      const deps = failureCallbackDepsOf(app.services, verify);
      // Without a follow-up the callback only records the run as dead.
      const onFirstFailure = options.failureFollowUp ? deps.onFirstFailure : options.onFirstFailure;
      return handleFailureCallback(request, { ...deps, onFirstFailure });
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
