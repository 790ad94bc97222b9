import { describe, expect, test } from "vitest";
import { confirm, type CliIo } from "@/scripts/lib/cli";
import { createProgress, renderBar } from "@/scripts/lib/progress";
import { formatTime, renderFields, renderTable } from "@/scripts/lib/table";
import { captureIo } from "./capture-io";

describe("renderTable", () => {
  test("aligns columns, right-aligns numbers and cuts long cells on one line", () => {
    const table = renderTable(
      [
        { id: "dlq_1", status: 489, reason: "short" },
        { id: "dlq_22", status: 500, reason: `multi\nline ${"x".repeat(30)}` },
      ],
      [
        { header: "ID", value: (row) => row.id },
        { header: "STATUS", value: (row) => String(row.status), align: "right" },
        { header: "REASON", value: (row) => row.reason, max: 12 },
      ],
    );
    expect(table.split("\n")).toEqual(["ID      STATUS  REASON", "dlq_1      489  short", "dlq_22     500  multi line …"]);
  });

  test("renderFields aligns keys", () => {
    expect(
      renderFields([
        ["Job", "test"],
        ["Message id", "msg_1"],
      ]),
    ).toBe("Job         test\nMessage id  msg_1");
  });

  test("formatTime is short ISO in UTC", () => {
    expect(formatTime(Date.UTC(2026, 0, 15, 9, 30, 5, 123))).toBe("2026-01-15 09:30:05Z");
    expect(formatTime(undefined)).toBe("-");
  });
});

describe("progress", () => {
  test("renderBar fills in proportion", () => {
    expect(renderBar("retrying", 5, 10, 60)).toMatch(/^retrying \[#{20}-{20}\] {2}5\/10$/);
    expect(renderBar("deleting", 0, 0)).toContain("0/0");
  });

  test("draws only on a terminal", () => {
    const tty = captureIo({ tty: true });
    const bar = createProgress(tty.io.stderr, "retrying");
    bar.update(1, 2);
    bar.finish();
    expect(tty.stderr).toContain("\r");
    expect(tty.stderr).toContain("1/2");

    const pipe = captureIo({ tty: false });
    const silent = createProgress(pipe.io.stderr, "retrying");
    silent.update(1, 2);
    silent.finish();
    expect(pipe.stderr).toBe("");
  });
});

describe("confirm", () => {
  test("--yes skips the question; a terminal is asked; no terminal refuses", async () => {
    expect(await confirm(captureIo().io, "Delete?", { yes: true, what: "delete" })).toBe(true);
    const yes = captureIo({ tty: true, answers: ["y"] });
    expect(await confirm(yes.io, "Delete 2?", { yes: false, what: "delete" })).toBe(true);
    expect(yes.prompts).toEqual(["Delete 2? [y/N] "]);
    expect(await confirm(captureIo({ tty: true, answers: [""] }).io, "Delete?", { yes: false, what: "delete" })).toBe(false);
    const io: CliIo = captureIo({ tty: false }).io;
    await expect(confirm(io, "Delete?", { yes: false, what: "delete 3 message(s)" })).rejects.toThrow(/Pass --yes/);
  });
});
