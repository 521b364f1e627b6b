import Link from "next/link";

/** The Steller wordmark, linking home. */
export function Logo({ className = "" }: { className?: string }) {
  return (
    <Link
      href="/"
      className={`inline-flex items-center gap-2 rounded-md text-lg font-semibold tracking-tight text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-brand-600 ${className}`}
    >
      <svg aria-hidden viewBox="0 0 24 24" className="size-7">
        <rect width="24" height="24" rx="6" className="fill-brand-600" />
        <path d="M12 4.5l2.1 4.9 5.3.4-4 3.5 1.2 5.2L12 15.8l-4.6 2.7 1.2-5.2-4-3.5 5.3-.4z" fill="white" />
      </svg>
      Steller
    </Link>
  );
}
