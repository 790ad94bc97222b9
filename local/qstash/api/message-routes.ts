import { cancelMessage } from "../cancel";
import { notFound } from "../errors";
import { COMMON_FILTER_FIELDS, isEmptyFilter, matchesFilter, parseFilter } from "../filters";
import { json } from "../http";
import type { MessageRecord } from "../model";
import { route, type Route } from "../router";
import { messageJson } from "../views";
import type { ApiDeps } from "./deps";

const CANCEL_FILTERS = [...COMMON_FILTER_FIELDS, "host", "path"] as const;

/** §7: read and cancel pending messages. */
export function messageRoutes({ core, dispatcher }: ApiDeps): Route[] {
  const find = (id: string): MessageRecord => {
    const message = core.state.messages.get(id);
    // Delivered, failed and cancelled messages are gone, as with QStash.
    if (!message || message.cancelRequested) throw notFound(`message ${id} not found`);
    return message;
  };

  return [
    route("GET", /^\/v2\/messages\/([^/]+)$/, (_ctx, [id]) => json(messageJson(find(id!)))),
    route("DELETE", /^\/v2\/messages\/([^/]+)$/, (_ctx, [id]) => {
      cancelMessage(core, dispatcher, find(id!));
      // The SDK parses this reply, so it must be JSON even for one message.
      return json({ cancelled: 1 });
    }),
    route("DELETE", /^\/v2\/messages\/?$/, (ctx) => {
      // `count` is a legacy knob: QStash cancels every match in one call and the SDK
      // documents it as ignored, so it is accepted and has no effect.
      const filter = parseFilter(ctx.query, CANCEL_FILTERS, ["count", "messageIds"]);
      const ids = ctx.query
        .getAll("messageIds")
        .flatMap((value) => value.split(","))
        .filter(Boolean);
      const pending = [...core.state.messages.values()].filter((message) => !message.cancelRequested);
      let targets: MessageRecord[];
      if (ids.length > 0) targets = pending.filter((message) => ids.includes(message.messageId));
      else {
        // No filter at all (the SDK's `{all: true}`) means every pending message.
        targets = isEmptyFilter(filter)
          ? pending
          : pending.filter((message) =>
              matchesFilter({ ...message, flowControlKey: message.flowControl?.key, time: message.createdAt }, filter),
            );
      }
      for (const message of targets) cancelMessage(core, dispatcher, message);
      return json({ cancelled: targets.length });
    }),
  ];
}
