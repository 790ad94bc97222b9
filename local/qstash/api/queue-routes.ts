import { cancelMessage } from "../cancel";
import { badRequest, notFound } from "../errors";
import { empty, json } from "../http";
import type { QueueRecord } from "../model";
import { NAME_PATTERN } from "../publish-options";
import { route, type Route } from "../router";
import { parseJsonBody } from "../body";
import type { ApiDeps } from "./deps";

/** §10 queues: upsert, read, delete, pause/resume. Delivery order is the dispatcher's job. */
export function queueRoutes({ core, dispatcher }: ApiDeps): Route[] {
  const find = (name: string): QueueRecord => {
    const queue = core.state.queues.get(name);
    if (!queue) throw notFound(`queue ${name} not found`);
    return queue;
  };
  const view = (queue: QueueRecord) => ({
    name: queue.name,
    createdAt: queue.createdAt,
    updatedAt: queue.updatedAt,
    parallelism: queue.parallelism,
    // Messages waiting in (or being delivered from) the queue.
    lag: [...core.state.messages.values()].filter((message) => message.queueName === queue.name).length,
    paused: queue.paused,
  });
  const setPaused = (name: string, paused: boolean) => {
    const queue = find(name);
    queue.paused = paused;
    queue.updatedAt = core.clock.now();
    core.limitsChanged();
    return empty();
  };

  return [
    route("POST", /^\/v2\/queues\/?$/, (ctx) => {
      const body = parseJsonBody(ctx.body) as { queueName?: unknown; parallelism?: unknown; paused?: unknown } | null;
      const name = body?.queueName;
      if (typeof name !== "string" || !NAME_PATTERN.test(name))
        throw badRequest("queueName is required: letters, digits, '.', '_' or '-'");
      const parallelism = body?.parallelism ?? 1;
      if (typeof parallelism !== "number" || !Number.isInteger(parallelism) || parallelism < 1)
        throw badRequest("parallelism must be a positive integer");
      const now = core.clock.now();
      const existing = core.state.queues.get(name);
      core.state.queues.set(name, {
        name,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        parallelism,
        paused: body?.paused === true,
      });
      core.limitsChanged();
      return empty();
    }),
    route("GET", /^\/v2\/queues\/?$/, () => json([...core.state.queues.values()].map(view))),
    route("GET", /^\/v2\/queues\/([^/]+)$/, (_ctx, [name]) => json(view(find(name!)))),
    route("DELETE", /^\/v2\/queues\/([^/]+)$/, (_ctx, [name]) => {
      const queue = find(name!);
      // Deleting a queue drops what is still waiting in it, as QStash does.
      for (const message of [...core.state.messages.values()])
        if (message.queueName === queue.name) cancelMessage(core, dispatcher, message);
      core.state.queues.delete(queue.name);
      core.limitsChanged();
      return empty();
    }),
    route("POST", /^\/v2\/queues\/([^/]+)\/pause$/, (_ctx, [name]) => setPaused(name!, true)),
    route("POST", /^\/v2\/queues\/([^/]+)\/resume$/, (_ctx, [name]) => setPaused(name!, false)),
  ];
}
