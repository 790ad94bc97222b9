import { fail, parseInteger, readStream, SYNTAX, upper, type CommandContext, type CommandImpl } from "./context";
import { compareIds, formatId, Stream, type ConsumerGroup, type StreamEntry, type StreamId } from "./types";

/** Streams and consumer groups, following Redis 7.0's t_stream.c. */

const INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
const MAX_SEQ = Number.MAX_SAFE_INTEGER;
const ZERO: StreamId = { ms: 0, seq: 0 };
/** Entries per radix-tree node in Redis; approximate (`~`) trimming only drops whole nodes. */
const NODE_ENTRIES = 100;

function parseId(text: string | undefined, missingSeq: number): StreamId {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text ?? "");
  if (!match) return fail(INVALID_ID);
  const ms = Number(match[1]);
  const seq = match[2] === undefined ? missingSeq : Number(match[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) return fail(INVALID_ID);
  return { ms, seq };
}

/** A range bound: `-`, `+`, an id, or an exclusive `(id`. */
function rangeBound(text: string | undefined, isStart: boolean): StreamId {
  if (text === "-") return ZERO;
  if (text === "+") return { ms: Number.MAX_SAFE_INTEGER, seq: MAX_SEQ };
  if (text?.startsWith("(")) {
    const id = parseId(text.slice(1), isStart ? 0 : MAX_SEQ);
    if (isStart) {
      if (id.seq === MAX_SEQ) return { ms: id.ms + 1, seq: 0 };
      return { ms: id.ms, seq: id.seq + 1 };
    }
    if (id.seq === 0) return id.ms === 0 ? fail("ERR invalid end ID for the interval") : { ms: id.ms - 1, seq: MAX_SEQ };
    return { ms: id.ms, seq: id.seq - 1 };
  }
  return parseId(text, isStart ? 0 : MAX_SEQ);
}

const entryReply = (entry: StreamEntry) => [formatId(entry.id), entry.fields.slice()];
const firstId = (stream: Stream) => stream.entries[0]?.id ?? ZERO;

function indexAfter(stream: Stream, id: StreamId): number {
  let low = 0;
  let high = stream.entries.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareIds(stream.entries[mid]!.id, id) > 0) high = mid;
    else low = mid + 1;
  }
  return low;
}

function findEntry(stream: Stream, id: StreamId): StreamEntry | undefined {
  const index = indexAfter(stream, id) - 1;
  const entry = stream.entries[index];
  return entry && compareIds(entry.id, id) === 0 ? entry : undefined;
}

function range(stream: Stream, start: StreamId, end: StreamId): StreamEntry[] {
  if (compareIds(start, end) > 0) return [];
  const from = indexAfter(stream, { ...start, seq: start.seq - 1 });
  const out: StreamEntry[] = [];
  for (let i = from; i < stream.entries.length && compareIds(stream.entries[i]!.id, end) <= 0; i++) out.push(stream.entries[i]!);
  return out;
}

interface TrimSpec {
  strategy: "MAXLEN" | "MINID";
  approximate: boolean;
  maxLen: number;
  minId: StreamId;
  limit: number | null;
}

/** Parses `MAXLEN|MINID [=|~] threshold [LIMIT count]` starting at `args[i]`; returns the next index. */
function parseTrim(args: string[], i: number, spec: { trim?: TrimSpec }): number {
  const strategy = upper(args[i]) as "MAXLEN" | "MINID";
  let next = i + 1;
  let approximate = false;
  if (args[next] === "=" || args[next] === "~") approximate = args[next++] === "~";
  if (args[next] === undefined) fail(SYNTAX);
  const threshold = args[next++]!;
  const trim: TrimSpec = { strategy, approximate, maxLen: 0, minId: ZERO, limit: null };
  if (strategy === "MAXLEN") {
    trim.maxLen = parseInteger(threshold);
    if (trim.maxLen < 0) fail("ERR The MAXLEN argument must be >= 0.");
  } else trim.minId = parseId(threshold, 0);
  if (upper(args[next]) === "LIMIT" && args[next + 1] !== undefined) {
    trim.limit = parseInteger(args[next + 1]);
    if (!approximate) fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
    next += 2;
  }
  spec.trim = trim;
  return next;
}

function applyTrim(stream: Stream, trim: TrimSpec): number {
  let removable = 0;
  if (trim.strategy === "MAXLEN") removable = Math.max(0, stream.entries.length - trim.maxLen);
  else while (removable < stream.entries.length && compareIds(stream.entries[removable]!.id, trim.minId) < 0) removable++;
  if (trim.approximate) {
    removable = Math.floor(removable / NODE_ENTRIES) * NODE_ENTRIES;
    if (trim.limit !== null && trim.limit > 0)
      removable = Math.min(removable, Math.floor(trim.limit / NODE_ENTRIES) * NODE_ENTRIES);
  }
  stream.entries.splice(0, removable);
  return removable;
}

function xadd(ctx: CommandContext, [key, ...args]: string[]): string | null {
  let noMkStream = false;
  const spec: { trim?: TrimSpec } = {};
  let i = 0;
  for (;;) {
    const option = upper(args[i]);
    if (option === "NOMKSTREAM") {
      noMkStream = true;
      i++;
    } else if ((option === "MAXLEN" || option === "MINID") && args.length > i + 1) i = parseTrim(args, i, spec);
    else break;
  }
  const idText = args[i];
  const fields = args.slice(i + 1);
  if (idText === undefined || fields.length === 0 || fields.length % 2 !== 0)
    fail("ERR wrong number of arguments for 'xadd' command");
  // Validate the id's syntax before touching data, as Redis does.
  const wildcardSeq = /^\d+-\*$/.test(idText!);
  const explicit = idText === "*" ? null : parseId(wildcardSeq ? idText!.slice(0, -2) : idText, 0);
  if (explicit && !wildcardSeq && explicit.ms === 0 && explicit.seq === 0)
    fail("ERR The ID specified in XADD must be greater than 0-0");
  let stream = readStream(ctx, key!);
  if (!stream) {
    if (noMkStream) return null;
    stream = new Stream();
  }
  const last = stream.lastId;
  let id: StreamId;
  if (explicit === null) {
    const ms = Math.max(ctx.ks.now(), last.ms);
    id = ms === last.ms ? { ms, seq: last.seq + 1 } : { ms, seq: 0 };
  } else if (wildcardSeq) {
    if (explicit.ms < last.ms) fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    id = explicit.ms === last.ms ? { ms: last.ms, seq: last.seq + 1 } : { ms: explicit.ms, seq: 0 };
    if (id.ms === 0 && id.seq === 0) id = { ms: 0, seq: 1 };
  } else {
    if (compareIds(explicit, last) <= 0) fail("ERR The ID specified in XADD is equal or smaller than the target stream top item");
    id = explicit;
  }
  stream.entries.push({ id, fields });
  stream.lastId = id;
  stream.entriesAdded++;
  if (spec.trim) applyTrim(stream, spec.trim);
  ctx.ks.set(key!, stream);
  return formatId(id);
}

function xrange(reverse: boolean): CommandImpl {
  return (ctx, [key, first, second, ...options]) => {
    const start = rangeBound(reverse ? second : first, true);
    const end = rangeBound(reverse ? first : second, false);
    let count = -1;
    if (options.length > 0) {
      if (options.length !== 2 || upper(options[0]) !== "COUNT") fail(SYNTAX);
      count = parseInteger(options[1]);
      if (count < 0) count = 0;
    }
    const stream = readStream(ctx, key!);
    if (!stream || count === 0) return [];
    let entries = range(stream, start, end);
    if (reverse) entries = entries.reverse();
    if (count > 0) entries = entries.slice(0, count);
    return entries.map(entryReply);
  };
}

interface ReadRequest {
  count: number;
  noAck: boolean;
  keys: string[];
  ids: string[];
  group?: { name: string; consumer: string };
}

function parseRead(command: "xread" | "xreadgroup", args: string[]): ReadRequest {
  const request: ReadRequest = { count: 0, noAck: false, keys: [], ids: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const option = upper(args[i]);
    if (option === "COUNT" && args[i + 1] !== undefined) request.count = Math.max(0, parseInteger(args[++i]));
    else if (option === "BLOCK" && args[i + 1] !== undefined) {
      // A REST call cannot wait: a blocking read answers at once, as with a timeout already passed.
      if (parseInteger(args[++i], "ERR timeout is not an integer or out of range") < 0) fail("ERR timeout is negative");
    } else if (option === "NOACK" && command === "xreadgroup") request.noAck = true;
    else if (option === "GROUP" && command === "xreadgroup" && args[i + 2] !== undefined) {
      request.group = { name: args[i + 1]!, consumer: args[i + 2]! };
      i += 2;
    } else if (option === "STREAMS") break;
    else fail(SYNTAX);
  }
  const rest = args.slice(i + 1);
  if (i >= args.length || rest.length === 0 || rest.length % 2 !== 0) {
    fail(`ERR Unbalanced '${command}' list of streams: for each stream key an ID or '$' must be specified.`);
  }
  if (command === "xreadgroup" && !request.group) fail("ERR Missing GROUP option for XREADGROUP");
  request.keys = rest.slice(0, rest.length / 2);
  request.ids = rest.slice(rest.length / 2);
  return request;
}

function xread(ctx: CommandContext, args: string[]): unknown {
  const request = parseRead("xread", args);
  const out: unknown[] = [];
  request.keys.forEach((key, n) => {
    const stream = readStream(ctx, key);
    const idText = request.ids[n]!;
    const after = idText === "$" ? (stream?.lastId ?? ZERO) : parseId(idText, 0);
    if (!stream) return;
    let entries = stream.entries.slice(indexAfter(stream, after));
    if (request.count > 0) entries = entries.slice(0, request.count);
    if (entries.length > 0) out.push([key, entries.map(entryReply)]);
  });
  return out.length > 0 ? out : null;
}

// ── consumer groups ───────────────────────────────────────────────────────

function noGroup(key: string, group: string, command: string): never {
  return fail(`NOGROUP No such key '${key}' or consumer group '${group}' in ${command} with GROUP option`);
}

function hasTombstones(stream: Stream, start: StreamId | null): boolean {
  const deleted = stream.maxDeletedId;
  if (stream.entries.length === 0 || (deleted.ms === 0 && deleted.seq === 0)) return false;
  return compareIds(start ?? ZERO, deleted) <= 0;
}

/** Redis's streamEstimateDistanceFromFirstEverEntry; null when unknown. */
function estimateEntriesRead(stream: Stream, id: StreamId): number | null {
  if (!stream.entriesAdded) return 0;
  if (stream.entries.length === 0 && compareIds(id, stream.lastId) < 1) return stream.entriesAdded;
  const cmpLast = compareIds(id, stream.lastId);
  if (cmpLast === 0) return stream.entriesAdded;
  if (cmpLast > 0) return null;
  const first = firstId(stream);
  const deleted = stream.maxDeletedId;
  if ((deleted.ms === 0 && deleted.seq === 0) || compareIds(deleted, first) < 0) {
    const cmpFirst = compareIds(id, first);
    if (cmpFirst < 0) return stream.entriesAdded - stream.entries.length;
    if (cmpFirst === 0) return stream.entriesAdded - stream.entries.length + 1;
  }
  return null;
}

function lag(stream: Stream, group: ConsumerGroup): number | null {
  if (!stream.entriesAdded) return 0;
  if (group.entriesRead !== null && !hasTombstones(stream, group.lastDelivered)) return stream.entriesAdded - group.entriesRead;
  const read = estimateEntriesRead(stream, group.lastDelivered);
  return read === null ? null : stream.entriesAdded - read;
}

function touchConsumer(ctx: CommandContext, group: ConsumerGroup, name: string): boolean {
  const created = !group.consumers.has(name);
  group.consumers.set(name, { seenAt: ctx.ks.now() });
  return created;
}

function xgroup(ctx: CommandContext, [sub, key, groupName, ...rest]: string[]): unknown {
  const subcommand = upper(sub);
  if (subcommand === "HELP")
    return ["XGROUP <subcommand> [<arg> ...]. Subcommands are: CREATE, CREATECONSUMER, DELCONSUMER, DESTROY, SETID, HELP."];
  if (key === undefined || groupName === undefined)
    fail(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try XGROUP HELP.`);
  let stream = readStream(ctx, key!);
  if (subcommand === "CREATE") {
    const [idText, ...options] = rest;
    if (idText === undefined) fail(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try XGROUP HELP.`);
    let mkStream = false;
    let entriesRead: number | null = null;
    for (let i = 0; i < options.length; i++) {
      const option = upper(options[i]);
      if (option === "MKSTREAM") mkStream = true;
      else if (option === "ENTRIESREAD" && options[i + 1] !== undefined) entriesRead = parseInteger(options[++i]);
      else fail(SYNTAX);
    }
    const id = idText === "$" ? (stream?.lastId ?? ZERO) : parseId(idText, 0);
    if (!stream) {
      if (!mkStream)
        fail(
          "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
        );
      stream = new Stream();
      ctx.ks.set(key!, stream);
    }
    if (stream!.groups.has(groupName!)) fail("BUSYGROUP Consumer Group name already exists");
    stream!.groups.set(groupName!, { lastDelivered: id, entriesRead, pending: new Map(), consumers: new Map() });
    return "OK";
  }
  if (!stream)
    fail(
      "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.",
    );
  const group = stream!.groups.get(groupName!);
  if (subcommand === "DESTROY") return stream!.groups.delete(groupName!) ? 1 : 0;
  if (!group) fail(`NOGROUP No such consumer group '${groupName}' for key name '${key}'`);
  if (subcommand === "SETID") {
    const [idText, ...options] = rest;
    let entriesRead: number | null = null;
    for (let i = 0; i < options.length; i++) {
      if (upper(options[i]) === "ENTRIESREAD" && options[i + 1] !== undefined) entriesRead = parseInteger(options[++i]);
      else fail(SYNTAX);
    }
    group!.lastDelivered = idText === "$" ? stream!.lastId : parseId(idText, 0);
    group!.entriesRead = entriesRead;
    return "OK";
  }
  if (subcommand === "CREATECONSUMER") {
    if (group!.consumers.has(rest[0]!)) return 0;
    touchConsumer(ctx, group!, rest[0]!);
    return 1;
  }
  if (subcommand === "DELCONSUMER") {
    const consumer = rest[0]!;
    if (!group!.consumers.has(consumer)) return 0;
    let pending = 0;
    for (const [id, entry] of group!.pending) {
      if (entry.consumer === consumer) {
        group!.pending.delete(id);
        pending++;
      }
    }
    group!.consumers.delete(consumer);
    return pending;
  }
  return fail(`ERR unknown subcommand '${sub}'. Try XGROUP HELP.`);
}

function sortedPending(group: ConsumerGroup): Array<[StreamId, string]> {
  return [...group.pending.keys()]
    .map((text) => [parseId(text, 0), text] as [StreamId, string])
    .sort((a, b) => compareIds(a[0], b[0]));
}

function xreadgroup(ctx: CommandContext, args: string[]): unknown {
  const request = parseRead("xreadgroup", args);
  const { name, consumer } = request.group!;
  const out: unknown[] = [];
  let anyHistory = false;
  request.keys.forEach((key, n) => {
    const stream = readStream(ctx, key);
    const group = stream?.groups.get(name);
    if (!stream || !group) noGroup(key, name, "XREADGROUP");
    touchConsumer(ctx, group!, consumer);
    const idText = request.ids[n]!;
    if (idText === ">") {
      let entries = stream!.entries.slice(indexAfter(stream!, group!.lastDelivered));
      if (request.count > 0) entries = entries.slice(0, request.count);
      for (const entry of entries) {
        if (group!.entriesRead !== null && !hasTombstones(stream!, entry.id)) group!.entriesRead++;
        else if (stream!.entriesAdded) group!.entriesRead = estimateEntriesRead(stream!, entry.id);
        group!.lastDelivered = entry.id;
        if (!request.noAck) group!.pending.set(formatId(entry.id), { consumer, deliveredAt: ctx.ks.now(), deliveries: 1 });
      }
      if (entries.length > 0) out.push([key, entries.map(entryReply)]);
      return;
    }
    anyHistory = true;
    const after = parseId(idText, 0);
    let history = sortedPending(group!).filter(
      ([id, text]) => compareIds(id, after) > 0 && group!.pending.get(text)!.consumer === consumer,
    );
    if (request.count > 0) history = history.slice(0, request.count);
    out.push([
      key,
      history.map(([id, text]) => {
        const pending = group!.pending.get(text)!;
        pending.deliveredAt = ctx.ks.now();
        pending.deliveries++;
        const entry = findEntry(stream!, id);
        return entry ? entryReply(entry) : [text, null];
      }),
    ]);
  });
  return out.length > 0 || anyHistory ? out : null;
}

function xack(ctx: CommandContext, [key, groupName, ...ids]: string[]): number {
  const parsed = ids.map((id) => formatId(parseId(id, 0)));
  const group = readStream(ctx, key!)?.groups.get(groupName!);
  if (!group) return 0;
  return parsed.filter((id) => group.pending.delete(id)).length;
}

function xpending(ctx: CommandContext, [key, groupName, ...rest]: string[]): unknown {
  const stream = readStream(ctx, key!);
  const group = stream?.groups.get(groupName!);
  if (!group) noGroup(key!, groupName!, "XPENDING");
  const pending = sortedPending(group!);
  if (rest.length === 0) {
    if (pending.length === 0) return [0, null, null, null];
    const perConsumer = new Map<string, number>();
    for (const [, text] of pending) {
      const owner = group!.pending.get(text)!.consumer;
      perConsumer.set(owner, (perConsumer.get(owner) ?? 0) + 1);
    }
    return [pending.length, pending[0]![1], pending.at(-1)![1], [...perConsumer].map(([owner, count]) => [owner, String(count)])];
  }
  let minIdle = 0;
  let args = rest;
  if (upper(args[0]) === "IDLE") {
    minIdle = parseInteger(args[1]);
    args = args.slice(2);
  }
  if (args.length < 3 || args.length > 4) fail(SYNTAX);
  const start = rangeBound(args[0], true);
  const end = rangeBound(args[1], false);
  const count = parseInteger(args[2]);
  const consumer = args[3];
  const now = ctx.ks.now();
  return pending
    .filter(([id, text]) => {
      const entry = group!.pending.get(text)!;
      return (
        compareIds(id, start) >= 0 &&
        compareIds(id, end) <= 0 &&
        (!consumer || entry.consumer === consumer) &&
        now - entry.deliveredAt >= minIdle
      );
    })
    .slice(0, Math.max(0, count))
    .map(([, text]) => {
      const entry = group!.pending.get(text)!;
      return [text, entry.consumer, now - entry.deliveredAt, entry.deliveries];
    });
}

function claim(
  ctx: CommandContext,
  stream: Stream,
  group: ConsumerGroup,
  consumer: string,
  text: string,
  justId: boolean,
): unknown {
  const entry = findEntry(stream, parseId(text, 0));
  const pending = group.pending.get(text)!;
  if (!entry) {
    group.pending.delete(text);
    return undefined;
  }
  pending.consumer = consumer;
  pending.deliveredAt = ctx.ks.now();
  if (!justId) pending.deliveries++;
  return justId ? text : entryReply(entry);
}

function xclaim(ctx: CommandContext, [key, groupName, consumer, minIdleText, ...rest]: string[]): unknown {
  const minIdle = parseInteger(minIdleText);
  const ids: string[] = [];
  let i = 0;
  for (; i < rest.length && /^\d+(-\d+)?$/.test(rest[i]!); i++) ids.push(formatId(parseId(rest[i], 0)));
  let justId = false;
  for (; i < rest.length; i++) {
    const option = upper(rest[i]);
    if (option === "JUSTID") justId = true;
    else if (option === "FORCE") continue;
    else if (["IDLE", "TIME", "RETRYCOUNT", "LASTID"].includes(option) && rest[i + 1] !== undefined) i++;
    else fail(`ERR Unrecognized XCLAIM option '${rest[i]}'`);
  }
  const stream = readStream(ctx, key!);
  const group = stream?.groups.get(groupName!);
  if (!group) noGroup(key!, groupName!, "XCLAIM");
  touchConsumer(ctx, group!, consumer!);
  const now = ctx.ks.now();
  const out: unknown[] = [];
  for (const text of ids) {
    const pending = group!.pending.get(text);
    if (!pending || now - pending.deliveredAt < minIdle) continue;
    const claimed = claim(ctx, stream!, group!, consumer!, text, justId);
    if (claimed !== undefined) out.push(claimed);
  }
  return out;
}

function xautoclaim(ctx: CommandContext, [key, groupName, consumer, minIdleText, startText, ...options]: string[]): unknown {
  const minIdle = parseInteger(minIdleText);
  const start = rangeBound(startText, true);
  let count = 100;
  let justId = false;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (option === "COUNT" && options[i + 1] !== undefined) count = parseInteger(options[++i]);
    else if (option === "JUSTID") justId = true;
    else fail(SYNTAX);
  }
  const stream = readStream(ctx, key!);
  const group = stream?.groups.get(groupName!);
  if (!group) noGroup(key!, groupName!, "XAUTOCLAIM");
  touchConsumer(ctx, group!, consumer!);
  const now = ctx.ks.now();
  const candidates = sortedPending(group!).filter(([id]) => compareIds(id, start) >= 0);
  const claimed: unknown[] = [];
  const deleted: string[] = [];
  let scanned = 0;
  let next = "0-0";
  for (const [, text] of candidates) {
    if (scanned >= count) {
      next = text;
      break;
    }
    scanned++;
    const pending = group!.pending.get(text)!;
    if (now - pending.deliveredAt < minIdle) continue;
    const result = claim(ctx, stream!, group!, consumer!, text, justId);
    if (result === undefined) deleted.push(text);
    else claimed.push(result);
  }
  return [next, claimed, deleted];
}

function xdel(ctx: CommandContext, [key, ...ids]: string[]): number {
  const parsed = ids.map((id) => parseId(id, 0));
  const stream = readStream(ctx, key!);
  if (!stream) return 0;
  let deleted = 0;
  for (const id of parsed) {
    const index = indexAfter(stream, id) - 1;
    const entry = stream.entries[index];
    if (!entry || compareIds(entry.id, id) !== 0) continue;
    stream.entries.splice(index, 1);
    if (compareIds(id, stream.maxDeletedId) > 0) stream.maxDeletedId = id;
    deleted++;
  }
  return deleted;
}

function xtrim(ctx: CommandContext, [key, ...args]: string[]): number {
  const strategy = upper(args[0]);
  if (strategy !== "MAXLEN" && strategy !== "MINID") fail(SYNTAX);
  const spec: { trim?: TrimSpec } = {};
  const next = parseTrim(args, 0, spec);
  if (next !== args.length) fail(SYNTAX);
  const stream = readStream(ctx, key!);
  return stream ? applyTrim(stream, spec.trim!) : 0;
}

function xinfo(ctx: CommandContext, [sub, key, groupName]: string[]): unknown {
  const subcommand = upper(sub);
  if (key === undefined) fail(`ERR unknown subcommand or wrong number of arguments for '${sub}'. Try XINFO HELP.`);
  const stream = readStream(ctx, key!);
  if (!stream) fail("ERR no such key");
  if (subcommand === "GROUPS") {
    return [...stream!.groups].map(([name, group]) => [
      "name",
      name,
      "consumers",
      group.consumers.size,
      "pending",
      group.pending.size,
      "last-delivered-id",
      formatId(group.lastDelivered),
      "entries-read",
      group.entriesRead,
      "lag",
      lag(stream!, group),
    ]);
  }
  if (subcommand === "CONSUMERS") {
    const group = stream!.groups.get(groupName!);
    if (!group) fail(`NOGROUP No such consumer group '${groupName}' for key name '${key}'`);
    const now = ctx.ks.now();
    return [...group!.consumers].map(([name, info]) => [
      "name",
      name,
      "pending",
      [...group!.pending.values()].filter((entry) => entry.consumer === name).length,
      "idle",
      now - info.seenAt,
    ]);
  }
  if (subcommand === "STREAM") {
    const first = stream!.entries[0];
    const last = stream!.entries.at(-1);
    return [
      "length",
      stream!.entries.length,
      "radix-tree-keys",
      Math.ceil(stream!.entries.length / NODE_ENTRIES),
      "radix-tree-nodes",
      Math.ceil(stream!.entries.length / NODE_ENTRIES) + 1,
      "last-generated-id",
      formatId(stream!.lastId),
      "max-deleted-entry-id",
      formatId(stream!.maxDeletedId),
      "entries-added",
      stream!.entriesAdded,
      "recorded-first-entry-id",
      formatId(firstId(stream!)),
      "groups",
      stream!.groups.size,
      "first-entry",
      first ? entryReply(first) : null,
      "last-entry",
      last ? entryReply(last) : null,
    ];
  }
  return fail(`ERR unknown subcommand '${sub}'. Try XINFO HELP.`);
}

function xsetid(ctx: CommandContext, [key, idText, ...options]: string[]): string {
  const id = parseId(idText, 0);
  let entriesAdded: number | null = null;
  let maxDeleted: StreamId | null = null;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (option === "ENTRIESADDED" && options[i + 1] !== undefined) entriesAdded = parseInteger(options[++i]);
    else if (option === "MAXDELETEDID" && options[i + 1] !== undefined) maxDeleted = parseId(options[++i], 0);
    else fail(SYNTAX);
  }
  const stream = readStream(ctx, key!);
  if (!stream) fail("ERR no such key");
  const top = stream!.entries.at(-1)?.id;
  if (top && compareIds(id, top) < 0) fail("ERR The ID specified in XSETID is smaller than the target stream top item");
  if (entriesAdded !== null && entriesAdded < stream!.entries.length)
    fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
  stream!.lastId = id;
  if (entriesAdded !== null) stream!.entriesAdded = entriesAdded;
  if (maxDeleted !== null) stream!.maxDeletedId = maxDeleted;
  return "OK";
}

export const streamCommands: Record<string, CommandImpl> = {
  xadd,
  xlen: (ctx, [key]) => readStream(ctx, key!)?.entries.length ?? 0,
  xrange: xrange(false),
  xrevrange: xrange(true),
  xread,
  xdel,
  xtrim,
  xgroup,
  xreadgroup,
  xack,
  xpending,
  xclaim,
  xautoclaim,
  xinfo,
  xsetid,
};
