"use server";

import { redirect } from "next/navigation";
import { requestReport } from "@/lib/flows/request-report";
import { getServices } from "@/lib/services";
import { currentUser } from "../signin/session-cookie";

export async function requestReportAction(form: FormData): Promise<void> {
  const user = await currentUser();
  if (!user) redirect("/signin?next=/reports");
  const result = await requestReport(getServices(), {
    userId: user.id,
    orgId: String(form.get("orgId") ?? ""),
    periodDays: form.get("periodDays"),
  });
  redirect(result.ok ? `/reports/${result.reportId}` : `/reports?error=${encodeURIComponent(result.message)}`);
}
