import { cookies } from "next/headers";
import { ADMIN_COOKIE, redisAdminSessions, verifyAdminSession } from "@/lib/admin/auth";
import { outboxDepth } from "@/lib/job-runtime";
import { getServices } from "@/lib/services";
import { signOutAction } from "./actions";
import { AdminDashboard } from "./dashboard";
import { loadAdminData } from "./data";
import { SignInForm } from "./sign-in-form";
import { readFilter, readNotice, readPending } from "./view";
import "./admin.css";

export const metadata = { title: "Admin · Acme", robots: { index: false } };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminPage({ searchParams }: Props) {
  const services = getServices();
  const { env, clock, redis } = services;
  const params = await searchParams;
  const focus = typeof params.dlq === "string" ? params.dlq : undefined;
  if (!env.ADMIN_TOKEN) {
    return (
      <section>
        <h1>Admin</h1>
        <p className="muted" data-testid="admin-disabled">
          Admin is disabled: set ADMIN_TOKEN (at least 16 characters) to turn it on.
        </p>
      </section>
    );
  }
  const session = (await cookies()).get(ADMIN_COOKIE)?.value;
  if (!(await verifyAdminSession(env.ADMIN_TOKEN, session, clock.now(), redisAdminSessions(redis)))) {
    return (
      <section>
        <h1>Admin sign-in</h1>
        <SignInForm next={focus ? `/admin?dlq=${encodeURIComponent(focus)}` : "/admin"} />
      </section>
    );
  }
  const filter = readFilter(params);
  const [outbox, data] = await Promise.all([outboxDepth(redis, clock.now()), loadAdminData(services, filter, focus)]);
  return (
    <section className="admin">
      <div className="admin-head">
        <h1>Operations</h1>
        <form action={signOutAction}>
          <button type="submit" className="secondary">
            Sign out
          </button>
        </form>
      </div>
      <section aria-labelledby="outbox-heading" data-testid="outbox-depth">
        <h2 id="outbox-heading">Outbox</h2>
        <p className={outbox.stale > 0 ? "error" : "muted"}>
          {outbox.pending === 0
            ? "Empty: every job written with its change has been accepted by QStash."
            : `${outbox.pending} waiting for QStash, the oldest ${Math.round((outbox.oldestAgeMs ?? 0) / 1000)} s old` +
              (outbox.stale > 0
                ? `; ${outbox.stale} older than ${outbox.maxAgeMs / 60_000} min (no sweep ran, or QStash keeps refusing).`
                : ".")}
        </p>
      </section>
      <AdminDashboard initial={data} filter={filter} pending={readPending(params)} notice={readNotice(params)} />
    </section>
  );
}
