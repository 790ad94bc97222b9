import { fail, parseFloatArg, parseInteger, readZset, SYNTAX, upper, type CommandContext, type CommandImpl } from "./context";
import { zsetCommands } from "./zsets";

/**
 * GEO commands over sorted sets, ported from Redis's geohash.c and geo.c: a
 * position is a 52-bit interleaved geohash stored as the member's score, and
 * every reply is computed with the same double arithmetic and formatting, so
 * positions and distances match Redis to the printed digit.
 */

const STEP = 26;
const LAT_MIN = -85.05112878;
const LAT_MAX = 85.05112878;
const LONG_MIN = -180;
const LONG_MAX = 180;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const D_R = Math.PI / 180.0;
const ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

const UNITS: Record<string, number> = { m: 1, km: 1000, ft: 0.3048, mi: 1609.34 };

/** Spreads the low 26 bits of `value` into the even bits of a 52-bit number. */
function spread(value: number): number {
  let out = 0;
  for (let bit = 0; bit < STEP; bit++) if (Math.floor(value / 2 ** bit) % 2 === 1) out += 2 ** (bit * 2);
  return out;
}

function squash(bits: number, odd: boolean): number {
  let out = 0;
  for (let bit = 0; bit < STEP; bit++) if (Math.floor(bits / 2 ** (bit * 2 + (odd ? 1 : 0))) % 2 === 1) out += 2 ** bit;
  return out;
}

function encode(longitude: number, latitude: number, latRange: [number, number] = [LAT_MIN, LAT_MAX]): number {
  const latOffset = Math.floor(((latitude - latRange[0]) / (latRange[1] - latRange[0])) * 2 ** STEP) >>> 0;
  const longOffset = Math.floor(((longitude - LONG_MIN) / (LONG_MAX - LONG_MIN)) * 2 ** STEP) >>> 0;
  return spread(latOffset) + 2 * spread(longOffset);
}

/** The centre of the geohash cell, as Redis's geohashDecodeToLongLatWGS84. */
function decode(bits: number): [number, number] {
  const ilato = squash(bits, false);
  const ilono = squash(bits, true);
  const latScale = LAT_MAX - LAT_MIN;
  const longScale = LONG_MAX - LONG_MIN;
  const latMin = LAT_MIN + ((ilato * 1.0) / 2 ** STEP) * latScale;
  const latMax = LAT_MIN + (((ilato + 1) * 1.0) / 2 ** STEP) * latScale;
  const longMin = LONG_MIN + ((ilono * 1.0) / 2 ** STEP) * longScale;
  const longMax = LONG_MIN + (((ilono + 1) * 1.0) / 2 ** STEP) * longScale;
  const longitude = Math.min(LONG_MAX, Math.max(LONG_MIN, (longMin + longMax) / 2));
  const latitude = Math.min(LAT_MAX, Math.max(LAT_MIN, (latMin + latMax) / 2));
  return [longitude, latitude];
}

const latDistance = (lat1: number, lat2: number) => EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);

function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R;
  const lon2r = lon2 * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** `%.17Lf` with trailing zeros removed (addReplyHumanLongDouble). */
const human = (value: number) => value.toFixed(17).replace(/0+$/, "").replace(/\.$/, "");
const fourDecimals = (value: number) => value.toFixed(4);

function unitFactor(text: string | undefined): number {
  const factor = UNITS[(text ?? "").toLowerCase()];
  return factor ?? fail("ERR unsupported unit provided. please use M, KM, FT, MI");
}

function parsePosition(lonText: string | undefined, latText: string | undefined): [number, number] {
  const longitude = parseFloatArg(lonText);
  const latitude = parseFloatArg(latText);
  if (longitude < LONG_MIN || longitude > LONG_MAX || latitude < LAT_MIN || latitude > LAT_MAX) {
    fail(`ERR invalid longitude,latitude pair ${longitude.toFixed(6)},${latitude.toFixed(6)}`);
  }
  return [longitude, latitude];
}

function geoadd(ctx: CommandContext, [key, ...rest]: string[]): unknown {
  const flags: string[] = [];
  let i = 0;
  for (; i < rest.length && ["NX", "XX", "CH"].includes(upper(rest[i])); i++) flags.push(upper(rest[i]));
  const triples = rest.slice(i);
  if (triples.length === 0 || triples.length % 3 !== 0)
    fail("ERR syntax error. Try GEOADD key [x1] [y1] [name1] [x2] [y2] [name2] ... ");
  if (flags.includes("NX") && flags.includes("XX")) fail("ERR XX and NX options at the same time are not compatible");
  const pairs: string[] = [];
  for (let t = 0; t < triples.length; t += 3) {
    const [longitude, latitude] = parsePosition(triples[t], triples[t + 1]);
    pairs.push(String(encode(longitude, latitude)), triples[t + 2]!);
  }
  return zsetCommands.zadd!(ctx, [key!, ...flags, ...pairs]);
}

function memberPosition(ctx: CommandContext, key: string, member: string): [number, number] | null {
  const entry = readZset(ctx, key)?.get(member);
  return entry ? decode(entry.score) : null;
}

function geopos(ctx: CommandContext, [key, ...members]: string[]): unknown {
  readZset(ctx, key!);
  return members.map((member) => {
    const position = memberPosition(ctx, key!, member);
    return position ? [human(position[0]), human(position[1])] : null;
  });
}

function geodist(ctx: CommandContext, [key, a, b, unit, ...extra]: string[]): string | null {
  if (extra.length > 0) fail(SYNTAX);
  const factor = unit === undefined ? 1 : unitFactor(unit);
  const first = memberPosition(ctx, key!, a!);
  const second = memberPosition(ctx, key!, b!);
  if (!first || !second) return null;
  return fourDecimals(distance(first[0], first[1], second[0], second[1]) / factor);
}

function geohash(ctx: CommandContext, [key, ...members]: string[]): unknown {
  readZset(ctx, key!);
  return members.map((member) => {
    const position = memberPosition(ctx, key!, member);
    if (!position) return null;
    const bits = encode(position[0], position[1], [-90, 90]);
    let text = "";
    for (let i = 0; i < 11; i++) text += ALPHABET[i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32];
    return text;
  });
}

interface Search {
  center: [number, number];
  shape: { radius: number } | { width: number; height: number };
  factor: number;
  sort: "ASC" | "DESC" | null;
  count: number;
  any: boolean;
  withCoord: boolean;
  withDist: boolean;
  withHash: boolean;
  store: { key: string; dist: boolean } | null;
}

function parseSearchOptions(
  ctx: CommandContext,
  key: string,
  options: string[],
  search: Partial<Search>,
  mode: "search" | "radius" | "radius_ro" | "store",
): Search {
  const out = {
    sort: null,
    count: 0,
    any: false,
    withCoord: false,
    withDist: false,
    withHash: false,
    store: null,
    ...search,
  } as Search;
  let from = false;
  for (let i = 0; i < options.length; i++) {
    const option = upper(options[i]);
    if (mode === "search" || mode === "store") {
      if (option === "FROMMEMBER" && options[i + 1] !== undefined && !from) {
        const position = memberPosition(ctx, key, options[++i]!);
        if (!position) fail("ERR could not decode requested zset member");
        out.center = position!;
        from = true;
        continue;
      }
      if (option === "FROMLONLAT" && options[i + 2] !== undefined && !from) {
        out.center = parsePosition(options[i + 1], options[i + 2]);
        i += 2;
        from = true;
        continue;
      }
      if (option === "BYRADIUS" && options[i + 2] !== undefined && !out.shape) {
        const radius = parseFloatArg(options[i + 1], "ERR need numeric radius");
        if (radius < 0) fail("ERR radius cannot be negative");
        out.factor = unitFactor(options[i + 2]);
        out.shape = { radius: radius * out.factor };
        i += 2;
        continue;
      }
      if (option === "BYBOX" && options[i + 3] !== undefined && !out.shape) {
        const width = parseFloatArg(options[i + 1], "ERR need numeric width");
        const height = parseFloatArg(options[i + 2], "ERR need numeric height");
        if (width < 0 || height < 0) fail("ERR height or width cannot be negative");
        out.factor = unitFactor(options[i + 3]);
        out.shape = { width: width * out.factor, height: height * out.factor };
        i += 3;
        continue;
      }
    }
    if (option === "ASC" || option === "DESC") out.sort = option;
    else if (option === "COUNT" && options[i + 1] !== undefined) {
      out.count = parseInteger(options[++i]);
      if (out.count <= 0) fail("ERR COUNT must be > 0");
      if (upper(options[i + 1]) === "ANY") {
        out.any = true;
        i++;
      }
    } else if (option === "WITHCOORD" && mode !== "store") out.withCoord = true;
    else if (option === "WITHDIST" && mode !== "store") out.withDist = true;
    else if (option === "WITHHASH" && mode !== "store") out.withHash = true;
    else if (option === "STOREDIST" && mode === "store") out.store = { key: out.store!.key, dist: true };
    else if ((option === "STORE" || option === "STOREDIST") && mode === "radius" && options[i + 1] !== undefined) {
      out.store = { key: options[++i]!, dist: option === "STOREDIST" };
    } else fail(SYNTAX);
  }
  if ((mode === "search" || mode === "store") && !from)
    fail("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch");
  if ((mode === "search" || mode === "store") && !out.shape)
    fail("ERR exactly one of BYRADIUS and BYBOX can be specified for geosearch");
  if (out.store && (out.withCoord || out.withDist || out.withHash))
    fail("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORDS options");
  if (out.any && out.count === 0) fail("ERR the ANY argument requires COUNT argument");
  return out;
}

function runSearch(ctx: CommandContext, key: string, search: Search): unknown {
  const zset = readZset(ctx, key);
  const hits: Array<{ member: string; score: number; dist: number; position: [number, number] }> = [];
  for (const { value, score } of zset?.values() ?? []) {
    const position = decode(score);
    const [x1, y1] = search.center;
    let dist: number;
    if ("radius" in search.shape) {
      dist = distance(x1, y1, position[0], position[1]);
      if (dist > search.shape.radius) continue;
    } else {
      if (latDistance(position[1], y1) > search.shape.height / 2) continue;
      if (distance(position[0], position[1], x1, position[1]) > search.shape.width / 2) continue;
      dist = distance(x1, y1, position[0], position[1]);
    }
    hits.push({ member: value, score, dist, position });
    if (search.any && hits.length >= search.count) break;
  }
  const sort = search.sort ?? (search.count > 0 && !search.any ? "ASC" : null);
  if (sort) hits.sort((a, b) => (sort === "ASC" ? a.dist - b.dist : b.dist - a.dist));
  const picked = search.count > 0 ? hits.slice(0, search.count) : hits;
  if (search.store) {
    const entries = picked.map(
      (hit) => [hit.member, { score: search.store!.dist ? hit.dist / search.factor : hit.score, value: hit.member }] as const,
    );
    ctx.ks.delete(search.store.key);
    if (entries.length > 0) ctx.ks.set(search.store.key, new Map(entries));
    return entries.length;
  }
  return picked.map((hit) => {
    if (!search.withDist && !search.withHash && !search.withCoord) return hit.member;
    const item: unknown[] = [hit.member];
    if (search.withDist) item.push(fourDecimals(hit.dist / search.factor));
    if (search.withHash) item.push(hit.score);
    if (search.withCoord) item.push([human(hit.position[0]), human(hit.position[1])]);
    return item;
  });
}

function georadius(readOnly: boolean): CommandImpl {
  return (ctx, [key, lon, lat, radiusText, unit, ...options]) => {
    const center = parsePosition(lon, lat);
    const radius = parseFloatArg(radiusText, "ERR need numeric radius");
    if (radius < 0) fail("ERR radius cannot be negative");
    const factor = unitFactor(unit);
    const search = parseSearchOptions(
      ctx,
      key!,
      options,
      { center, shape: { radius: radius * factor }, factor },
      readOnly ? "radius_ro" : "radius",
    );
    return runSearch(ctx, key!, search);
  };
}

function georadiusbymember(readOnly: boolean): CommandImpl {
  return (ctx, [key, member, radiusText, unit, ...options]) => {
    const radius = parseFloatArg(radiusText, "ERR need numeric radius");
    if (radius < 0) fail("ERR radius cannot be negative");
    const factor = unitFactor(unit);
    const center = memberPosition(ctx, key!, member!);
    if (!center) fail("ERR could not decode requested zset member");
    const search = parseSearchOptions(
      ctx,
      key!,
      options,
      { center: center!, shape: { radius: radius * factor }, factor },
      readOnly ? "radius_ro" : "radius",
    );
    return runSearch(ctx, key!, search);
  };
}

export const geoCommands: Record<string, CommandImpl> = {
  geoadd,
  geopos,
  geodist,
  geohash,
  geosearch: (ctx, [key, ...options]) => runSearch(ctx, key!, parseSearchOptions(ctx, key!, options, {}, "search")),
  geosearchstore: (ctx, [destination, key, ...options]) =>
    runSearch(ctx, key!, parseSearchOptions(ctx, key!, options, { store: { key: destination!, dist: false } }, "store")),
  georadius: georadius(false),
  georadius_ro: georadius(true),
  georadiusbymember: georadiusbymember(false),
  georadiusbymember_ro: georadiusbymember(true),
};
