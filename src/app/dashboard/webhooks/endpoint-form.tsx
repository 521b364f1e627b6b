"use client";

import { Button } from "@/components/ui/button";
import { inputClasses } from "@/components/ui/field";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { endpointInput } from "@/lib/schemas/dashboard-webhooks";
import type { z } from "zod";

/** One entry of the event catalog, as the server page hands it over (src/server/webhooks/catalog.ts). */
export interface CatalogEvent {
  type: string;
  when: string;
  subscribable: boolean;
  example: string;
}

export type EndpointValues = z.output<typeof endpointInput>;

/**
 * An endpoint's URL, description, events (from the event catalog, each with its example body)
 * and enabled switch, validated by the procedure's own schema; the server's field errors (a
 * refused URL, unknown events) are shown on their fields.
 */
export function EndpointForm({
  catalog,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  catalog: CatalogEvent[];
  initial?: Partial<EndpointValues>;
  submitLabel: string;
  onSubmit: (values: EndpointValues) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const form = useZodForm(endpointInput, {
    url: initial?.url ?? "",
    description: initial?.description ?? "",
    events: initial?.events ?? ["*"],
    enabled: initial?.enabled ?? true,
  });
  const eventsError = form.formState.errors.events?.message as string | undefined;
  const submit = form.handleSubmit(async (values) => {
    try {
      await onSubmit(values);
    } catch (e) {
      applyServerErrors(form, e);
    }
  });

  return (
    <form className="space-y-4" noValidate onSubmit={submit}>
      <FormInput
        form={form}
        name="url"
        label="Endpoint URL"
        type="url"
        placeholder="https://example.com/webhooks/steller"
        hint="Where we POST each event. Private and loopback addresses are refused unless this server allows them (WEBHOOK_ALLOW_PRIVATE_TARGETS)."
        autoComplete="off"
      />
      <FormInput form={form} name="description" label="Description" placeholder="e.g. Order status to our fulfilment service" autoComplete="off" />
      <fieldset aria-describedby={eventsError ? "f-events-error" : undefined}>
        <legend className="text-sm font-medium text-slate-800">Events</legend>
        <div className="mt-2 space-y-2">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" value="*" className="size-4 accent-brand-600" {...form.register("events")} />
            <span>
              <span className="font-medium">All events</span> <code className="text-xs text-slate-600">*</code>, including types added later (other choices are
              then ignored)
            </span>
          </label>
          {catalog
            .filter((e) => e.subscribable)
            .map((e) => (
              <div key={e.type} className="rounded-md border border-slate-200 p-2">
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" value={e.type} className="size-4 accent-brand-600" {...form.register("events")} />
                  <code className="font-mono text-xs font-medium">{e.type}</code>
                  <span className="text-slate-600">{e.when}</span>
                </label>
                <details className="mt-1 ml-6 text-xs">
                  <summary className="cursor-pointer text-brand-700">Example payload of {e.type}</summary>
                  <pre className="mt-1 overflow-x-auto rounded bg-slate-950 p-2 text-slate-100">{e.example}</pre>
                </details>
              </div>
            ))}
        </div>
        {eventsError && (
          <p id="f-events-error" className="mt-1.5 text-sm text-red-700">
            {eventsError}
          </p>
        )}
      </fieldset>
      <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
        <input type="checkbox" className="size-4 accent-brand-600" {...form.register("enabled")} />
        Enabled: send events to this endpoint
      </label>
      <FormError form={form as never} />
      <div className="flex justify-end gap-2">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? "Saving…" : submitLabel}
        </Button>
      </div>
    </form>
  );
}

/** The classes of the small inputs outside forms (filters, the recover time). */
export const smallInput = `${inputClasses()} mt-1 w-auto`;
