import { cookies } from "next/headers";
import { ADMIN_COOKIE, redisAdminSessions, verifyAdminSession } from "@/lib/admin/auth";
import { getServices } from "@/lib/services";
import { signOutAction } from "./actions";
import { AdminDashboard } from "./dashboard";
import { SignInForm } from "./sign-in-form";
import "./admin.css";

export const metadata = { title: "Admin · Acme", robots: { index: false } };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminPage({ searchParams }: Props) {
  const { env, clock, redis } = getServices();
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
      <AdminDashboard focusDlqId={focus} />
    </section>
  );
}
