"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { type FieldValues, type Path, type UseFormReturn, useForm } from "react-hook-form";
import type { z } from "zod";
import { describedBy, Field, inputClasses } from "./field";

/**
 * A react-hook-form form validated in the browser by the procedure's own zod schema (the one
 * the server checks too), so both say the same thing about a field.
 */
export function useZodForm<S extends z.ZodType<FieldValues, FieldValues>>(schema: S, defaultValues: z.input<S>) {
  return useForm<z.input<S>, unknown, z.output<S>>({ resolver: zodResolver(schema), defaultValues: defaultValues as never, mode: "onTouched" });
}

/**
 * Puts a tRPC error's field messages (`data.fieldErrors`, from the error middleware) on the
 * form's fields, and anything else on the form itself; returns whether there was anything.
 */
export function applyServerErrors<T extends FieldValues>(form: UseFormReturn<T, unknown, unknown>, error: unknown): void {
  const data = (error as { data?: { fieldErrors?: Record<string, string[]>; formErrors?: string[] } } | null)?.data;
  const fields = Object.entries(data?.fieldErrors ?? {});
  for (const [name, messages] of fields) form.setError(name as Path<T>, { type: "server", message: messages[0] });
  const formMessage = data?.formErrors?.[0] ?? (fields.length ? undefined : error instanceof Error ? error.message : "That did not work.");
  if (formMessage) form.setError("root.server" as Path<T>, { type: "server", message: formMessage });
}

/** A labelled text input bound to a form field, its error (browser or server) shown inline. */
export function FormInput<T extends FieldValues>({
  form,
  name,
  label,
  hint,
  ...props
}: { form: UseFormReturn<T, unknown, unknown>; name: Path<T>; label: string; hint?: string } & Omit<
  React.InputHTMLAttributes<HTMLInputElement>,
  "name" | "form"
>) {
  const id = `f-${name}`;
  const error = form.formState.errors[name]?.message as string | undefined;
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input id={id} className={inputClasses(!!error)} {...describedBy(id, { hint, error })} {...props} {...form.register(name)} />
    </Field>
  );
}

/** The form-level error (not tied to one field), if any. */
export function FormError({ form }: { form: UseFormReturn<FieldValues, unknown, unknown> }) {
  const message = (form.formState.errors.root as { server?: { message?: string } } | undefined)?.server?.message;
  return message ? (
    <p role="alert" className="text-sm text-red-700">
      {message}
    </p>
  ) : null;
}
