"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { requestReport } from "@/lib/reports/request";
import { getServices } from "@/lib/services";
import { getSessionUserId, SESSION_COOKIE } from "@/lib/sessions";

export async function requestReportAction(form: FormData): Promise<void> {
  const services = getServices();
  const userId = await getSessionUserId(services.redis, (await cookies()).get(SESSION_COOKIE)?.value);
  if (!userId) redirect("/signin?next=/reports");
  const result = await requestReport(services, {
    userId,
    orgId: String(form.get("orgId") ?? ""),
    periodDays: form.get("periodDays"),
  });
  redirect(result.ok ? `/reports/${result.reportId}` : `/reports?error=${encodeURIComponent(result.message)}`);
}
