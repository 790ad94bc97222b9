import { validateUrl } from "../destination";
import { badRequest, notFound } from "../errors";
import { empty, json } from "../http";
import type { TopicRecord } from "../model";
import { NAME_PATTERN } from "../publish-options";
import { route, type Route } from "../router";
import { parseJsonBody } from "../body";
import type { ApiDeps } from "./deps";

interface EndpointInput {
  url?: string;
  name?: string;
}

/** §10 URL groups ("topics"): publishing to one fans out a message per endpoint. */
export function topicRoutes({ core }: ApiDeps): Route[] {
  const find = (name: string): TopicRecord => {
    const topic = core.state.topics.get(name);
    if (!topic) throw notFound(`topic ${name} not found`);
    return topic;
  };
  const view = (topic: TopicRecord) => ({
    name: topic.name,
    createdAt: topic.createdAt,
    updatedAt: topic.updatedAt,
    endpoints: topic.endpoints.map((endpoint) => ({ ...(endpoint.name && { name: endpoint.name }), url: endpoint.url })),
  });

  return [
    route("POST", /^\/v2\/topics\/([^/]+)\/endpoints$/, (ctx, [name]) => {
      if (!NAME_PATTERN.test(name!)) throw badRequest(`invalid URL group name ${JSON.stringify(name)}`);
      const endpoints = readEndpoints(ctx.body);
      const now = core.clock.now();
      const topic = core.state.topics.get(name!) ?? { name: name!, createdAt: now, updatedAt: now, endpoints: [] };
      for (const input of endpoints) {
        const url = validateUrl(input.url ?? "", "endpoint url");
        const existing = topic.endpoints.find((endpoint) => endpoint.url === url);
        if (existing) existing.name = input.name ?? existing.name;
        else topic.endpoints.push({ url, ...(input.name && { name: input.name }) });
      }
      topic.updatedAt = now;
      core.state.topics.set(topic.name, topic);
      core.changed();
      return empty();
    }),
    route("DELETE", /^\/v2\/topics\/([^/]+)\/endpoints$/, (ctx, [name]) => {
      const topic = find(name!);
      const remove = readEndpoints(ctx.body);
      topic.endpoints = topic.endpoints.filter(
        (endpoint) =>
          !remove.some((input) => (input.url && input.url === endpoint.url) || (input.name && input.name === endpoint.name)),
      );
      topic.updatedAt = core.clock.now();
      // An empty group is removed, as QStash does.
      if (topic.endpoints.length === 0) core.state.topics.delete(topic.name);
      core.changed();
      return empty();
    }),
    route("GET", /^\/v2\/topics\/?$/, () => json([...core.state.topics.values()].map(view))),
    route("GET", /^\/v2\/topics\/([^/]+)$/, (_ctx, [name]) => json(view(find(name!)))),
    route("DELETE", /^\/v2\/topics\/([^/]+)$/, (_ctx, [name]) => {
      core.state.topics.delete(find(name!).name);
      core.changed();
      return empty();
    }),
  ];
}

function readEndpoints(body: Buffer): EndpointInput[] {
  const parsed = parseJsonBody(body) as { endpoints?: unknown } | null;
  const endpoints = parsed?.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) throw badRequest('body must be {"endpoints":[{"url","name"?}]}');
  return endpoints.map((endpoint: unknown) => {
    if (typeof endpoint !== "object" || endpoint === null) throw badRequest("each endpoint must be an object");
    const { url, name } = endpoint as Record<string, unknown>;
    if (url !== undefined && typeof url !== "string") throw badRequest("endpoint url must be a string");
    if (name !== undefined && typeof name !== "string") throw badRequest("endpoint name must be a string");
    if (!url && !name) throw badRequest("each endpoint needs a url or a name");
    return { url: url as string | undefined, name: name as string | undefined };
  });
}
