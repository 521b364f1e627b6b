import Link from "next/link";
import { logoutAction } from "@/server/auth/actions";
import type { SessionUser } from "@/server/auth/session-user";

export interface NavItem {
  href: string;
  label: string;
}

/** The signed-in frame shared by the admin and partner dashboards. */
export function AppShell({
  title,
  nav,
  user,
  children,
  notice,
}: {
  title: string;
  nav: NavItem[];
  user: SessionUser;
  children: React.ReactNode;
  /** Shown above the page, e.g. that live orders reach the mock vendor. */
  notice?: string;
}) {
  const roleLabel = user.isAdmin ? "Platform admin" : user.membership ? `${user.membership.partnerName} · ${user.membership.role}` : "";
  return (
    <div className="flex min-h-screen">
      <aside className="flex w-60 flex-col border-r border-slate-200 bg-white">
        <div className="px-6 py-5">
          <Link href="/" className="text-lg font-semibold tracking-tight text-brand-900">
            Steller
          </Link>
          <p className="text-xs font-medium uppercase tracking-wider text-slate-500">{title}</p>
        </div>
        <nav className="flex-1 space-y-1 px-3" aria-label={title}>
          {nav.map((item) => (
            <Link key={item.href} href={item.href} className="block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="border-t border-slate-200 px-6 py-4">
          <p className="truncate text-sm font-medium" data-testid="signed-in-user">
            {user.name}
          </p>
          <p className="truncate text-xs text-slate-500">{user.email}</p>
          <p className="truncate text-xs text-slate-500">{roleLabel}</p>
          <Link href="/account/password" className="mt-3 block text-sm font-medium text-slate-600 hover:text-slate-800">
            Change password
          </Link>
          <form action={logoutAction} className="mt-1">
            <button type="submit" className="text-sm font-medium text-brand-600 hover:text-brand-700">
              Sign out
            </button>
          </form>
        </div>
      </aside>
      <main className="flex-1 px-10 py-8">
        {notice && (
          <p role="status" className="mb-6 rounded-md border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-800">
            {notice}
          </p>
        )}
        {children}
      </main>
    </div>
  );
}

export function Forbidden({ message }: { message: string }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-red-600">403 · Not allowed</p>
        <h1 className="mt-2 text-2xl font-semibold">You don&apos;t have access to this area</h1>
        <p className="mt-3 text-slate-600">{message}</p>
        <Link href="/" className="mt-6 inline-block font-medium text-brand-600">
          Go to your home page
        </Link>
      </div>
    </main>
  );
}
