import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe("npm run email (React Email preview server)", () => {
  // The CLI refuses a preview UI of another version and offers to install the
  // matching one from the registry: pinned together, it starts offline.
  test("the preview UI is pinned to exactly the CLI's version", () => {
    const cli = pkg.dependencies["react-email"];
    expect(cli).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.devDependencies["@react-email/ui"]).toBe(cli);
    const installed = (name: string) =>
      (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    expect(installed("react-email")).toBe(cli);
    expect(installed("@react-email/ui")).toBe(cli);
  });
});
