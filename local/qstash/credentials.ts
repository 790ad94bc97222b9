/**
 * The public credentials of QStash's own dev server. The official SDK has them
 * built in and swaps them in when `QSTASH_DEV=true`, so they are safe to commit
 * and must match byte for byte (the SDK's health probe compares the keys).
 */
export const DEV_TOKEN = "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=";
export const DEV_CURRENT_SIGNING_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r";
export const DEV_NEXT_SIGNING_KEY = "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs";

/** Where the SDK looks for a dev server when `QSTASH_DEV_PORT` is unset. */
export const DEFAULT_DEV_PORT = 8080;
