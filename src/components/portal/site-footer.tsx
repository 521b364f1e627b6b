import Link from "next/link";
import { Logo } from "./logo";
import { PORTAL_LINKS } from "./links";

const link = "rounded text-sm text-slate-600 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600";

/** The public footer: status, docs and contact. */
export function SiteFooter() {
  return (
    <footer className="border-t border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-col gap-8 px-4 py-10 sm:flex-row sm:items-start sm:justify-between sm:px-6">
        <div className="max-w-xs">
          <Logo />
          <p className="mt-3 text-sm text-slate-600">Digital gift cards from hundreds of brands, through one API and a prepaid wallet.</p>
        </div>
        <nav aria-label="Footer" className="grid grid-cols-2 gap-x-12 gap-y-2 sm:grid-cols-3">
          <div className="space-y-2">
            <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">Developers</p>
            <ul className="space-y-2">
              <li>
                <Link href={PORTAL_LINKS.docs} className={link}>
                  Docs
                </Link>
              </li>
              <li>
                <a href={PORTAL_LINKS.apiReference} className={link}>
                  API reference
                </a>
              </li>
            </ul>
          </div>
          <div className="space-y-2">
            <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">Company</p>
            <ul className="space-y-2">
              <li>
                <a href={PORTAL_LINKS.status} className={link}>
                  Status
                </a>
              </li>
              <li>
                <a href={PORTAL_LINKS.contact} className={link}>
                  Contact
                </a>
              </li>
            </ul>
          </div>
          <div className="space-y-2">
            <p className="text-xs font-semibold uppercase tracking-wider text-slate-500">Account</p>
            <ul className="space-y-2">
              <li>
                <Link href={PORTAL_LINKS.signIn} className={link}>
                  Sign in
                </Link>
              </li>
              <li>
                <Link href={PORTAL_LINKS.signUp} className={link}>
                  Sign up
                </Link>
              </li>
            </ul>
          </div>
        </nav>
      </div>
      <div className="border-t border-slate-100">
        <p className="mx-auto max-w-6xl px-4 py-4 text-xs text-slate-600 sm:px-6">
          © {new Date().getFullYear()} Steller. Sandbox cards are test cards with no value.
        </p>
      </div>
    </footer>
  );
}
