import { parseDestination, type Destination } from "../destination";
import { badRequest, notFound } from "../errors";
import { flattenHeaders } from "../header-map";
import { json, type RequestContext } from "../http";
import { NAME_PATTERN, parsePublishOptions, type PublishOptions } from "../publish-options";
import { publish } from "../publish";
import { route, type Route } from "../router";
import { parseJsonBody } from "../body";
import type { ApiDeps } from "./deps";

/** §2: publish, enqueue and batch. */
export function publishRoutes({ core }: ApiDeps): Route[] {
  const publishOne = (ctx: RequestContext, rawDestination: string, queueName?: string) => {
    const options = parsePublishOptions(ctx.headers);
    const destination = parseDestination(rawDestination, ctx.rawQuery);
    const result = publish(core, {
      destination,
      options,
      body: ctx.body,
      callerIp: ctx.callerIp,
      queueName,
      rawHeaders: ctx.headers,
    });
    return json(result.body, result.status);
  };

  return [
    route("POST", /^\/v2\/publish\/(.+)$/, (ctx, [destination]) => publishOne(ctx, destination!), true),
    route(
      "POST",
      /^\/v2\/enqueue\/([^/]+)\/(.+)$/,
      (ctx, [queue, destination]) => publishOne(ctx, destination!, queueName(decodeSegment(queue!))),
      true,
    ),
    route("POST", /^\/v2\/batch$/, (ctx) => {
      const items = parseBatch(parseJsonBody(ctx.body));
      // Parse and check every item before publishing any, so one bad item publishes nothing.
      const prepared = items.map((item) => {
        const headers = flattenHeaders(item.headers ?? {});
        const options: PublishOptions = parsePublishOptions(headers);
        const destination: Destination = parseDestination(item.destination, "");
        if (destination.kind === "topic" && !core.state.topics.get(destination.name)?.endpoints.length) {
          throw notFound(`topic ${destination.name} not found`);
        }
        return {
          headers,
          options,
          destination,
          body: Buffer.from(item.body ?? "", "utf8"),
          queue: item.queue ? queueName(item.queue) : undefined,
        };
      });
      const results = prepared.map((item) =>
        publish(core, {
          destination: item.destination,
          options: item.options,
          body: item.body,
          callerIp: ctx.callerIp,
          queueName: item.queue,
          rawHeaders: item.headers,
        }),
      );
      return json(results.map((result) => result.body));
    }),
  ];
}

interface BatchItem {
  destination: string;
  headers?: Record<string, string | string[]>;
  body?: string;
  queue?: string;
}

function parseBatch(value: unknown): BatchItem[] {
  if (!Array.isArray(value)) throw badRequest("batch body must be a JSON array");
  return value.map((item: unknown, index) => {
    if (typeof item !== "object" || item === null) throw badRequest(`batch item ${index} must be an object`);
    const { destination, headers, body, queue } = item as Record<string, unknown>;
    if (typeof destination !== "string" || !destination) throw badRequest(`batch item ${index}: missing destination`);
    if (headers !== undefined && (typeof headers !== "object" || headers === null))
      throw badRequest(`batch item ${index}: headers must be an object`);
    if (body !== undefined && body !== null && typeof body !== "string")
      throw badRequest(`batch item ${index}: body must be a string`);
    if (queue !== undefined && typeof queue !== "string") throw badRequest(`batch item ${index}: queue must be a string`);
    return { destination, headers: headers as BatchItem["headers"], body: (body as string | null) ?? undefined, queue };
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid queue name ${JSON.stringify(segment)}: bad percent-encoding`);
  }
}

function queueName(name: string): string {
  if (!NAME_PATTERN.test(name)) throw badRequest(`invalid queue name ${JSON.stringify(name)}`);
  return name;
}
