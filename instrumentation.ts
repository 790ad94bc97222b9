import { registerOTel } from "@vercel/otel";

/**
 * Next.js calls this once per server instance. @vercel/otel registers the
 * OpenTelemetry SDK: on Vercel it exports to the project's tracing
 * integration; elsewhere to the OTLP endpoint in OTEL_EXPORTER_OTLP_* (see
 * docs/observability.md); with neither, spans are made and dropped. The job
 * runtime only ever talks to @opentelemetry/api, so none of this is bundled
 * into what a job needs.
 */
export function register() {
  registerOTel({ serviceName: "qstash-jobs" });
}
