import { AlertTriangle, Inbox } from "lucide-react";
import { cn } from "./cn";

/** A grey block standing in for content that is loading. */
export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cn("animate-pulse rounded-md bg-slate-200", className)} />;
}

/** Nothing to show yet, and what to do about it. */
export function EmptyState({ title, children, className }: { title: string; children?: React.ReactNode; className?: string }) {
  return (
    <div className={cn("flex flex-col items-center px-6 py-10 text-center", className)}>
      <Inbox aria-hidden className="size-8 text-slate-400" />
      <p className="mt-3 text-sm font-medium text-slate-900">{title}</p>
      {children && <div className="mt-1 text-sm text-slate-600">{children}</div>}
    </div>
  );
}

/** Loading failed: the reason, and a retry when there is one. */
export function ErrorState({ message, onRetry, className }: { message: string; onRetry?: () => void; className?: string }) {
  return (
    <div role="alert" className={cn("flex flex-col items-center px-6 py-10 text-center", className)}>
      <AlertTriangle aria-hidden className="size-8 text-red-500" />
      <p className="mt-3 text-sm font-medium text-slate-900">Could not load this</p>
      <p className="mt-1 text-sm text-slate-600">{message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry} className="mt-3 text-sm font-medium text-brand-700 hover:text-brand-900">
          Try again
        </button>
      )}
    </div>
  );
}
