/**
 * The job runtime: everything a QStash-delivered job needs and no job. The
 * app's jobs, producers, domain and routes import it through this file; it
 * imports nothing of the app's. See ./README.md.
 */

// Declaring jobs and the registry
export * from "./define-job";
export * from "./load-once";
export * from "./registry";

// Publishing: straight away, or durably with the domain write (outbox)
export * from "./enqueue";
export * from "./outbox";
export * from "./protection-bypass";
export * from "./read-body";

// Receiving: routes and the request handlers behind them
export * from "./routes";
export * from "./handle-request";
export * from "./failure-callback";
export * from "./verify";
export * from "./deadline";
export * from "./idempotency";
export * from "./respond";
export * from "./delivery-headers";
export * from "./delivery-decode";
export * from "./base64";
export * from "./urls";

// Run records
export * from "./runs";
export * from "./run-keys";

// Errors, time, logging, tracing, Redis
export * from "./errors";
export * from "./clock";
export * from "./log";
export * from "./tracing";
export * from "./redis";
export * from "./redis-scripts";
export * from "./node-http-fetch";
