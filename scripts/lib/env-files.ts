import { existsSync, readFileSync } from "node:fs";

/**
 * Reads `.env.local` then `.env` the way Next.js does for scripts that run
 * outside Next: real environment variables win, then the first file that sets a name.
 */
export function loadEnvFiles(
  files: string[] = [".env.local", ".env"],
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = {};
  for (const file of [...files].reverse()) {
    if (!existsSync(file)) continue;
    Object.assign(merged, parseEnvFile(readFileSync(file, "utf8")));
  }
  for (const [name, value] of Object.entries(base)) if (value !== undefined && value !== "") merged[name] = value;
  return merged;
}

/** `NAME=value` lines; `#` comments; optional single or double quotes; `export ` prefix tolerated. */
function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replaceAll("\\n", "\n");
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    values[match[1]!] = value;
  }
  return values;
}
