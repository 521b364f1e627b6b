import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { Logo } from "./logo";
import { PORTAL_LINKS } from "./links";

const navLink =
  "rounded-md px-2 py-1 text-sm font-medium text-slate-700 hover:text-slate-950 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600";

/** The public header: Docs, API reference, Sign in, Sign up. Wraps under the logo on a phone. */
export function SiteHeader() {
  return (
    <header className="border-b border-slate-200/80 bg-white/90 backdrop-blur">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:shadow"
      >
        Skip to content
      </a>
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-6 gap-y-3 px-4 py-4 sm:px-6">
        <Logo />
        <nav aria-label="Main" className="flex flex-wrap items-center gap-x-3 gap-y-2 sm:gap-x-5">
          <Link href={PORTAL_LINKS.docs} className={navLink}>
            Docs
          </Link>
          <a href={PORTAL_LINKS.apiReference} className={navLink}>
            API reference
          </a>
          <Link href={PORTAL_LINKS.signIn} className={navLink}>
            Sign in
          </Link>
          <ButtonLink href={PORTAL_LINKS.signUp} size="sm">
            Sign up
          </ButtonLink>
        </nav>
      </div>
    </header>
  );
}
