import { collectionCommands } from "./collections";
import type { CommandImpl } from "./context";
import { geoCommands } from "./geo";
import { hllCommands } from "./hll";
import { jsonCommands } from "./json";
import { keyCommands } from "./keys";
import { streamCommands } from "./streams";
import { stringCommands } from "./strings";
import { zsetCommands } from "./zsets";

/**
 * Commands the embedded engine implements itself, by lowercase name. They take
 * precedence over ioredis-mock's: each one here either is missing from the mock
 * or answered differently from Redis (checked by the differential test against
 * redis-server in tests/integration/local-redis/).
 */
export const OWN_COMMANDS: ReadonlyMap<string, CommandImpl> = new Map(
  Object.entries({
    ...keyCommands,
    ...stringCommands,
    ...collectionCommands,
    ...zsetCommands,
    ...streamCommands,
    ...hllCommands,
    ...geoCommands,
    ...jsonCommands,
  }),
);
