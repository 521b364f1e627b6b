import { cn } from "./cn";

export const inputClasses = (invalid?: boolean) =>
  cn(
    "block w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-500",
    "focus:outline-none focus:ring-2",
    invalid ? "border-red-500 focus:border-red-600 focus:ring-red-100" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
  );

/**
 * A visible label above a control, with an optional hint and error. The control gets the ids
 * to point at them: `aria-describedby` and `aria-invalid` are set by the caller from `describedBy`.
 */
export function Field({
  id,
  label,
  hint,
  error,
  children,
  className,
}: {
  id: string;
  label: string;
  hint?: string;
  error?: string;
  children: React.ReactNode;
  className?: string;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="mt-1.5">{children}</div>
      {hint && !error && (
        <p id={`${id}-hint`} className="mt-1.5 text-xs text-slate-600">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="mt-1.5 text-sm text-red-700" data-field-error={id}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The aria attributes a control inside `Field` needs. */
export function describedBy(id: string, { hint, error }: { hint?: string; error?: string }) {
  const ids = [error ? `${id}-error` : hint ? `${id}-hint` : null].filter(Boolean);
  return { "aria-invalid": error ? true : undefined, "aria-describedby": ids.length ? ids.join(" ") : undefined } as const;
}
