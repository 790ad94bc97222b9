import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The local stack (local/) is a separate program; keep it and the tests out of the app bundle.
  typedRoutes: false,
  poweredByHeader: false,
};

export default nextConfig;
