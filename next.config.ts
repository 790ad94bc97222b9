import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

/**
 * Headers on every response. The CSP allows inline scripts and styles because
 * Next's App Router streams its payload in inline <script> tags and React sets
 * style attributes; a nonce would force every page to render per request. What
 * it does forbid is what an attacker needs: framing (clickjacking), plugins,
 * <base> hijacking, forms posting to another origin, and loading code or
 * connecting anywhere but this origin. `next dev` also needs eval and its
 * websocket for hot reload.
 */
function securityHeaders(dev: boolean) {
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return [
    { key: "Content-Security-Policy", value: csp },
    // For browsers that predate frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "X-Content-Type-Options", value: "nosniff" },
    // Paths can carry tokens (/invite/<token>): other sites get the origin at most.
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  ];
}

export default function config(phase: string): NextConfig {
  const dev = phase === PHASE_DEVELOPMENT_SERVER;
  return {
    // The local stack (local/) is a separate program; keep it and the tests out of the app bundle.
    typedRoutes: false,
    poweredByHeader: false,
    // One copy of the OpenTelemetry API per process, the one Next.js's own tracing already loads from node_modules:
    // bundled, every route carried a second copy (13 KiB) and the job runtime's spans went through it.
    serverExternalPackages: ["@opentelemetry/api"],
    experimental: {
      // `next start` would otherwise load every page and route in the background right after it starts, so the first
      // QStash delivery to a fresh instance waits behind pages it never renders. Off, each route loads its own code on
      // its first request, which is what a Vercel function does anyway (docs/decisions/0017-lazy-job-handlers.md).
      preloadEntriesOnStart: false,
    },
    async headers() {
      return [{ source: "/:path*", headers: securityHeaders(dev) }];
    },
  };
}
