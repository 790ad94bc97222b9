import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { VerifyBanner } from "./verify-banner";

export const metadata: Metadata = {
  title: "Acme",
  description: "Background jobs on Vercel with Upstash QStash",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <a href="/" className="brand">
            Acme
          </a>
          <nav>
            <a href="/signup">Sign up</a>
            <a href="/signin">Sign in</a>
            <a href="/account">Account</a>
            <a href="/account/emails">Emails</a>
            <a href="/events">Events</a>
            <a href="/notifications">Notifications</a>
            <a href="/reports">Reports</a>
            <a href="/admin">Admin</a>
          </nav>
        </header>
        <main>
          <VerifyBanner />
          {children}
        </main>
      </body>
    </html>
  );
}
