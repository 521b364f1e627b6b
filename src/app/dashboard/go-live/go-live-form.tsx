"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { GO_LIVE_FIELDS, type GoLiveField, goLiveFieldErrors } from "@/lib/schemas/go-live";
import { useTRPC } from "@/trpc/react";

/** The go-live request form: checked inline by the procedure's own schema before it is sent. */
export function GoLiveForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const [values, setValues] = useState<Record<GoLiveField, string>>({
    legalName: "",
    registrationNumber: "",
    website: "",
    expectedMonthlyVolume: "",
    useCase: "",
  });
  const [errors, setErrors] = useState<Partial<Record<GoLiveField, string>>>({});
  const submit = useMutation(
    trpc.onboarding.goLive.request.mutationOptions({
      onSuccess: () => router.refresh(),
      onError: (e) => {
        const fieldErrors = (e.data as { fieldErrors?: Record<string, string[]> } | undefined)?.fieldErrors ?? {};
        setErrors(Object.fromEntries(Object.entries(fieldErrors).map(([k, v]) => [k, v[0]])));
      },
    }),
  );
  return (
    <form
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const found = goLiveFieldErrors(values);
        setErrors(found);
        if (Object.keys(found).length === 0) submit.mutate(values);
      }}
    >
      {GO_LIVE_FIELDS.map((f) => {
        const id = `go-live-${f.name}`;
        const a = describedBy(id, { hint: f.hint, error: errors[f.name] });
        const common = {
          id,
          name: f.name,
          value: values[f.name],
          onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValues((v) => ({ ...v, [f.name]: e.target.value })),
          className: inputClasses(Boolean(errors[f.name])),
          ...a,
        };
        return (
          <Field key={f.name} id={id} label={f.label} hint={f.hint} error={errors[f.name]}>
            {f.name === "useCase" ? <textarea rows={4} {...common} /> : <input type={f.name === "website" ? "url" : "text"} {...common} />}
          </Field>
        );
      })}
      {submit.error && Object.keys(errors).length === 0 && (
        <p className="text-sm text-red-700" role="alert">
          {submit.error.message}
        </p>
      )}
      <Button type="submit" disabled={submit.isPending}>
        {submit.isPending ? "Sending…" : "Request live access"}
      </Button>
    </form>
  );
}
