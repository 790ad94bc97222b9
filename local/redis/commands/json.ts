import { fail, lookup, parseFloatArg, parseInteger, SYNTAX, upper, type CommandContext, type CommandImpl } from "./context";
import { JsonDocument } from "./types";

/**
 * RedisJSON's JSON.* commands, as Upstash serves them and `@upstash/redis`
 * exposes them under `redis.json`. Paths starting with `$` are JSONPath and
 * answer one result per match (as a JSON array for values); any other path is
 * RedisJSON's legacy syntax (`.`, `a.b`, `a[0]`) and answers the first match.
 *
 * JSONPath support: `$`, `.name`, `['name']`, `[n]` (negative from the end),
 * `[*]`, `.*` and `..name`; filter expressions are refused with an error.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

interface Location {
  parent: Container | null;
  key: string | number | null;
  value: Json;
}

type Segment =
  | { kind: "key"; name: string }
  | { kind: "index"; index: number }
  | { kind: "wildcard" }
  | { kind: "descend"; name: string | null };

interface ParsedPath {
  segments: Segment[];
  legacy: boolean;
}

const isContainer = (value: Json): value is Container => value !== null && typeof value === "object";

function parsePath(text: string | undefined): ParsedPath {
  const raw = text ?? ".";
  const legacy = !raw.startsWith("$");
  let path = legacy ? (raw === "." ? "" : raw.startsWith(".") || raw.startsWith("[") ? raw : `.${raw}`) : raw.slice(1);
  const segments: Segment[] = [];
  while (path.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.\.([A-Za-z_$][\w$]*|\*)/.exec(path))) {
      segments.push({ kind: "descend", name: match[1] === "*" ? null : match[1]! });
    } else if ((match = /^\.([A-Za-z_$][\w$-]*)/.exec(path))) {
      segments.push({ kind: "key", name: match[1]! });
    } else if ((match = /^\.\*/.exec(path)) || (match = /^\[\*\]/.exec(path))) {
      segments.push({ kind: "wildcard" });
    } else if ((match = /^\[(-?\d+)\]/.exec(path))) {
      segments.push({ kind: "index", index: Number(match[1]) });
    } else if ((match = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(path))) {
      segments.push({ kind: "key", name: (match[1] ?? match[2])!.replace(/\\(.)/g, "$1") });
    } else if (path.startsWith("[?")) {
      return fail(
        "ERR JSONPath filter expressions are not supported by the embedded engine; use a Redis with the RedisJSON module",
      );
    } else {
      return fail(`ERR Path '${raw}' does not exist or not a valid JSONPath`);
    }
    path = path.slice(match[0].length);
  }
  return { segments, legacy };
}

function children(location: Location): Location[] {
  const { value } = location;
  if (Array.isArray(value)) return value.map((item, index) => ({ parent: value, key: index, value: item }));
  if (isContainer(value)) return Object.entries(value).map(([key, item]) => ({ parent: value, key, value: item }));
  return [];
}

function descendants(location: Location): Location[] {
  const out: Location[] = [];
  for (const child of children(location)) out.push(child, ...descendants(child));
  return out;
}

/** Every location the path matches; with `create`, a missing last key on an object is added as a slot. */
function resolve(root: Json, path: ParsedPath, create = false): Location[] {
  let current: Location[] = [{ parent: null, key: null, value: root }];
  path.segments.forEach((segment, n) => {
    const last = n === path.segments.length - 1;
    const next: Location[] = [];
    for (const location of current) {
      const { value } = location;
      if (segment.kind === "key") {
        if (isContainer(value) && !Array.isArray(value)) {
          if (Object.hasOwn(value, segment.name)) next.push({ parent: value, key: segment.name, value: value[segment.name]! });
          else if (create && last) next.push({ parent: value, key: segment.name, value: undefined as unknown as Json });
        }
      } else if (segment.kind === "index") {
        if (Array.isArray(value)) {
          const index = segment.index < 0 ? value.length + segment.index : segment.index;
          if (index >= 0 && index < value.length) next.push({ parent: value, key: index, value: value[index]! });
        }
      } else if (segment.kind === "wildcard") next.push(...children(location));
      else {
        const all = [location, ...descendants(location)];
        for (const candidate of all) {
          if (segment.name === null) next.push(...children(candidate));
          else if (
            isContainer(candidate.value) &&
            !Array.isArray(candidate.value) &&
            Object.hasOwn(candidate.value, segment.name)
          ) {
            next.push({ parent: candidate.value, key: segment.name, value: candidate.value[segment.name]! });
          }
        }
      }
    }
    current = next;
  });
  return current;
}

function assign(doc: JsonDocument, location: Location, value: Json): void {
  if (location.parent === null) doc.root = value;
  else (location.parent as Record<string | number, Json>)[location.key as string] = value;
}

function typeName(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function parseJson(text: string | undefined): Json {
  try {
    return JSON.parse(text ?? "") as Json;
  } catch {
    return fail(`ERR expected value at line 1 column 1`);
  }
}

const readDoc = (ctx: CommandContext, key: string) => lookup(ctx, key, "ReJSON-RL") as JsonDocument | undefined;

function requireDoc(ctx: CommandContext, key: string): JsonDocument {
  return readDoc(ctx, key) ?? fail("ERR could not perform this operation on a key that doesn't exist");
}

/** One reply per match for `$` paths; the first match (or an error) for legacy paths. */
function perMatch<T>(doc: JsonDocument, pathText: string | undefined, each: (location: Location) => T, create = false): T[] | T {
  const path = parsePath(pathText);
  const matches = resolve(doc.root as Json, path, create);
  if (!path.legacy) return matches.map(each);
  if (matches.length === 0) fail(`ERR Path '${pathText ?? "."}' does not exist`);
  return each(matches[0]!);
}

function jsonSet(ctx: CommandContext, [key, pathText, valueText, condition]: string[]): string | null {
  const value = parseJson(valueText);
  const mode = condition === undefined ? null : upper(condition);
  if (mode !== null && mode !== "NX" && mode !== "XX") fail(SYNTAX);
  const path = parsePath(pathText);
  const doc = readDoc(ctx, key!);
  if (!doc) {
    if (path.segments.length > 0) fail("ERR new objects must be created at the root");
    if (mode === "XX") return null;
    ctx.ks.set(key!, new JsonDocument(value));
    return "OK";
  }
  const matches = resolve(doc.root as Json, path, true);
  const existing = matches.filter((location) => location.value !== undefined);
  if ((mode === "NX" && existing.length > 0) || (mode === "XX" && existing.length === 0) || matches.length === 0) return null;
  for (const location of mode === "XX" ? existing : matches) assign(doc, location, structuredClone(value));
  return "OK";
}

function jsonGet(ctx: CommandContext, [key, ...rest]: string[]): string | null {
  let indent = "";
  let newline = "";
  let space = "";
  const paths: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const option = upper(rest[i]);
    if (option === "INDENT" && rest[i + 1] !== undefined) indent = rest[++i]!;
    else if (option === "NEWLINE" && rest[i + 1] !== undefined) newline = rest[++i]!;
    else if (option === "SPACE" && rest[i + 1] !== undefined) space = rest[++i]!;
    else paths.push(rest[i]!);
  }
  const doc = readDoc(ctx, key!);
  if (!doc) return null;
  const format = (value: unknown) => {
    const text = JSON.stringify(value, null, indent || newline ? indent : undefined);
    return space ? text.replace(/":/g, `":${space}`) : text;
  };
  if (paths.length <= 1) return format(perMatch(doc, paths[0] ?? ".", (location) => location.value));
  const parsed = paths.map(parsePath);
  if (parsed.every((path) => path.legacy)) {
    return format(Object.fromEntries(paths.map((text) => [text, perMatch(doc, text, (location) => location.value)])));
  }
  return format(
    Object.fromEntries(paths.map((text) => [text, resolve(doc.root as Json, parsePath(text)).map((location) => location.value)])),
  );
}

function jsonDel(ctx: CommandContext, [key, pathText]: string[]): number {
  const doc = readDoc(ctx, key!);
  if (!doc) return 0;
  const path = parsePath(pathText ?? "$");
  if (path.segments.length === 0) {
    ctx.ks.delete(key!);
    return 1;
  }
  const matches = resolve(doc.root as Json, path);
  // Delete array items from the highest index down so earlier removals don't shift later ones.
  matches.sort((a, b) => (typeof a.key === "number" && typeof b.key === "number" ? b.key - a.key : 0));
  for (const location of matches) {
    if (Array.isArray(location.parent)) location.parent.splice(location.key as number, 1);
    else if (location.parent) delete (location.parent as Record<string, Json>)[location.key as string];
  }
  return matches.length;
}

/** Applies `change` to each numeric match; the new values go back as one JSON text. */
function numberOp(op: (a: number, b: number) => number): CommandImpl {
  return (ctx, [key, pathText, byText]) => {
    const by = parseFloatArg(byText, "ERR expected value");
    const doc = requireDoc(ctx, key!);
    const result = perMatch(doc, pathText, (location) => {
      if (typeof location.value !== "number") {
        if (!parsePath(pathText).legacy) return null;
        return fail(`WRONGTYPE wrong type of path value - expected a number but found ${typeName(location.value)}`);
      }
      const next = op(location.value, by);
      assign(doc, location, next);
      return next;
    });
    return JSON.stringify(result);
  };
}

/** A per-match operation on one JSON type; other types answer null (JSONPath) or an error (legacy). */
function typed<T>(
  expected: "array" | "object" | "string" | "boolean",
  run: (doc: JsonDocument, location: Location, args: string[]) => T,
  options: { defaultPath?: string; missingKey?: unknown } = {},
): CommandImpl {
  return (ctx, [key, pathText, ...args]) => {
    const doc = readDoc(ctx, key!);
    if (!doc)
      return options.missingKey !== undefined
        ? options.missingKey
        : fail("ERR could not perform this operation on a key that doesn't exist");
    const path = pathText ?? options.defaultPath ?? ".";
    return perMatch(doc!, path, (location) => {
      const actual = typeName(location.value);
      const matches =
        expected === "object" ? actual === "object" : expected === "array" ? actual === "array" : actual === expected;
      if (!matches) {
        if (!parsePath(path).legacy) return null;
        return fail(`WRONGTYPE wrong type of path value - expected ${expected} but found ${actual}`);
      }
      return run(doc!, location, args);
    });
  };
}

function clampIndex(index: number, length: number): number {
  if (index < 0) index = length + index;
  return Math.max(0, Math.min(index, length));
}

function merge(target: Json, patch: Json): Json {
  if (!isContainer(patch) || Array.isArray(patch)) return structuredClone(patch);
  const base: { [key: string]: Json } = isContainer(target) && !Array.isArray(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete base[key];
    else base[key] = merge(base[key] ?? null, value);
  }
  return base;
}

export const jsonCommands: Record<string, CommandImpl> = {
  "json.set": jsonSet,
  "json.get": jsonGet,
  "json.mget": (ctx, args) => {
    const pathText = args.at(-1);
    return args.slice(0, -1).map((key) => {
      const doc = readDoc(ctx, key);
      if (!doc) return null;
      const path = parsePath(pathText);
      const matches = resolve(doc.root as Json, path).map((location) => location.value);
      if (path.legacy) return matches.length > 0 ? JSON.stringify(matches[0]) : null;
      return JSON.stringify(matches);
    });
  },
  "json.mset": (ctx, args) => {
    if (args.length === 0 || args.length % 3 !== 0) fail("ERR wrong number of arguments for 'json.mset' command");
    for (let i = 0; i < args.length; i += 3) jsonSet(ctx, [args[i]!, args[i + 1]!, args[i + 2]!]);
    return "OK";
  },
  "json.del": jsonDel,
  "json.forget": jsonDel,
  "json.type": (ctx, [key, pathText]) => {
    const doc = readDoc(ctx, key!);
    if (!doc) return null;
    return perMatch(doc, pathText, (location) => typeName(location.value));
  },
  "json.numincrby": numberOp((a, b) => a + b),
  "json.nummultby": numberOp((a, b) => a * b),
  "json.strlen": typed("string", (_doc, location) => Buffer.byteLength(location.value as string, "utf8"), { missingKey: null }),
  "json.strappend": typed("string", (doc, location, [valueText]) => {
    const addition = parseJson(valueText);
    if (typeof addition !== "string") fail("ERR expected a JSON string");
    const next = (location.value as string) + (addition as string);
    assign(doc, location, next);
    return Buffer.byteLength(next, "utf8");
  }),
  "json.toggle": typed("boolean", (doc, location) => {
    const next = !(location.value as boolean);
    assign(doc, location, next);
    return next ? 1 : 0;
  }),
  "json.objkeys": typed("object", (_doc, location) => Object.keys(location.value as object), { missingKey: null }),
  "json.objlen": typed("object", (_doc, location) => Object.keys(location.value as object).length, { missingKey: null }),
  "json.arrlen": typed("array", (_doc, location) => (location.value as Json[]).length, { missingKey: null }),
  "json.arrappend": typed("array", (_doc, location, values) => {
    const array = location.value as Json[];
    array.push(...values.map(parseJson));
    return array.length;
  }),
  "json.arrinsert": typed("array", (_doc, location, [indexText, ...values]) => {
    const array = location.value as Json[];
    const index = parseInteger(indexText);
    if (index > array.length || index < -array.length) fail("ERR index out of bounds");
    array.splice(clampIndex(index, array.length), 0, ...values.map(parseJson));
    return array.length;
  }),
  "json.arrindex": typed("array", (_doc, location, [valueText, startText, stopText]) => {
    const array = location.value as Json[];
    const wanted = JSON.stringify(parseJson(valueText));
    const start = startText === undefined ? 0 : clampIndex(parseInteger(startText), array.length);
    const stopRaw = stopText === undefined ? 0 : parseInteger(stopText);
    const stop = stopRaw === 0 ? array.length : clampIndex(stopRaw, array.length);
    for (let i = start; i < stop; i++) if (JSON.stringify(array[i]) === wanted) return i;
    return -1;
  }),
  "json.arrpop": typed(
    "array",
    (_doc, location, [indexText]) => {
      const array = location.value as Json[];
      if (array.length === 0) return null;
      const raw = indexText === undefined ? -1 : parseInteger(indexText);
      const index = Math.min(clampIndex(raw, array.length), array.length - 1);
      return JSON.stringify(array.splice(index, 1)[0]);
    },
    { defaultPath: "." },
  ),
  "json.arrtrim": typed("array", (_doc, location, [startText, stopText]) => {
    const array = location.value as Json[];
    const start = clampIndex(parseInteger(startText), array.length);
    let stop = parseInteger(stopText);
    if (stop < 0) stop = array.length + stop;
    stop = Math.min(stop, array.length - 1);
    const kept = start > stop ? [] : array.slice(start, stop + 1);
    array.splice(0, array.length, ...kept);
    return array.length;
  }),
  "json.clear": (ctx, [key, pathText]) => {
    const doc = readDoc(ctx, key!);
    if (!doc) return 0;
    let cleared = 0;
    for (const location of resolve(doc.root as Json, parsePath(pathText ?? "$"))) {
      const { value } = location;
      if (Array.isArray(value)) value.splice(0, value.length);
      else if (isContainer(value)) for (const field of Object.keys(value)) delete value[field];
      else if (typeof value === "number") assign(doc, location, 0);
      else continue;
      cleared++;
    }
    return cleared;
  },
  "json.merge": (ctx, [key, pathText, valueText]) => {
    const patch = parseJson(valueText);
    const doc = readDoc(ctx, key!);
    const path = parsePath(pathText);
    if (!doc) {
      if (path.segments.length > 0) fail("ERR new objects must be created at the root");
      ctx.ks.set(key!, new JsonDocument(merge(null, patch)));
      return "OK";
    }
    const matches = resolve(doc.root as Json, path, true);
    for (const location of matches) assign(doc, location, merge(location.value ?? null, patch));
    return "OK";
  },
  "json.resp": (ctx, [key, pathText]) => {
    const doc = readDoc(ctx, key!);
    if (!doc) return null;
    const toResp = (value: Json): unknown => {
      if (value === null) return null;
      if (typeof value === "boolean") return value ? "true" : "false";
      if (typeof value === "number") return Number.isInteger(value) ? value : String(value);
      if (typeof value === "string") return value;
      if (Array.isArray(value)) return ["[", ...value.map(toResp)];
      return ["{", ...Object.entries(value).flatMap(([field, item]) => [field, toResp(item)])];
    };
    return perMatch(doc, pathText, (location) => toResp(location.value));
  },
};

/** Arity (Redis convention: negative = at least) and whether each JSON command writes. */
export const JSON_COMMAND_SPECS: Record<string, { arity: number; write: boolean }> = {
  "json.set": { arity: -4, write: true },
  "json.get": { arity: -2, write: false },
  "json.mget": { arity: -3, write: false },
  "json.mset": { arity: -4, write: true },
  "json.del": { arity: -2, write: true },
  "json.forget": { arity: -2, write: true },
  "json.type": { arity: -2, write: false },
  "json.numincrby": { arity: 4, write: true },
  "json.nummultby": { arity: 4, write: true },
  "json.strlen": { arity: -2, write: false },
  "json.strappend": { arity: -3, write: true },
  "json.toggle": { arity: 3, write: true },
  "json.objkeys": { arity: -2, write: false },
  "json.objlen": { arity: -2, write: false },
  "json.arrlen": { arity: -2, write: false },
  "json.arrappend": { arity: -4, write: true },
  "json.arrinsert": { arity: -5, write: true },
  "json.arrindex": { arity: -4, write: false },
  "json.arrpop": { arity: -2, write: true },
  "json.arrtrim": { arity: 5, write: true },
  "json.clear": { arity: -2, write: true },
  "json.merge": { arity: 4, write: true },
  "json.resp": { arity: -2, write: false },
};
