/**
 * Text someone else chose (an org name, a display name) made safe for an
 * email subject sent with our sender address: one line, no invisible or
 * direction-changing characters, links defanged so mail clients don't turn
 * them into something to click, and cut to `maxLength` characters.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

export function subjectText(value: string, maxLength: number): string {
  const oneLine = value.replace(INVISIBLE, " ").replace(/\s+/g, " ").trim();
  const defanged = oneLine
    // "https://x" → "https[:]//x"; "www.x.y" and "x.example" → "x[.]example"
    .replace(/:\/\//g, "[:]//")
    .replace(/([\p{L}\p{N}-])\.(?=[\p{L}\p{N}])/gu, "$1[.]")
    .replace(/@/g, "[@]");
  const characters = [...defanged];
  return characters.length <= maxLength
    ? defanged
    : `${characters
        .slice(0, maxLength - 1)
        .join("")
        .trimEnd()}…`;
}
