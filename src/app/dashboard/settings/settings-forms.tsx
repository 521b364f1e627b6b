"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { money } from "@/components/ui/format";
import { useLocale } from "@/components/ui/locale";
import { plainAmount } from "@/components/ui/money";
import { ErrorState, Skeleton } from "@/components/ui/states";
import { companyProfileInput, contactsInput, thresholdInput } from "@/lib/schemas/team-settings";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { useEnvironment } from "../environment-context";

type Settings = RouterOutputs["settings"]["get"];

function Section({ id, title, description, children }: { id: string; title: string; description: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id={id} className="text-lg font-semibold">
        {title}
      </h2>
      <p className="mt-1 text-sm text-slate-600">{description}</p>
      <div className="mt-4">{children}</div>
    </section>
  );
}

function ProfileForm({ settings, canEdit, onSaved }: { settings: Settings; canEdit: boolean; onSaved: () => void }) {
  const trpc = useTRPC();
  const p = settings.profile;
  const form = useZodForm(companyProfileInput, {
    businessName: p.businessName,
    registrationNumber: p.registrationNumber ?? "",
    contactEmail: p.contactEmail,
    phone: p.phone ?? "",
    address: p.address ?? "",
    country: p.country ?? "",
  });
  const save = useMutation(trpc.settings.updateProfile.mutationOptions());
  return (
    <form
      aria-label="Company profile"
      className="grid gap-4 sm:grid-cols-2"
      onSubmit={form.handleSubmit(async (values) => {
        try {
          await save.mutateAsync(values);
          toast.success("Company profile saved");
          onSaved();
        } catch (e) {
          applyServerErrors(form, e);
        }
      })}
    >
      <fieldset disabled={!canEdit} className="contents">
        <FormInput form={form} name="businessName" label="Business name" autoComplete="organization" />
        <FormInput form={form} name="registrationNumber" label="Registration number" />
        <FormInput form={form} name="contactEmail" label="Contact email" type="email" hint="Where account emails (low balance, go-live) are sent." />
        <FormInput form={form} name="phone" label="Phone" type="tel" autoComplete="tel" />
        <FormInput form={form} name="address" label="Address" autoComplete="street-address" />
        <FormInput form={form} name="country" label="Country code" hint="Two letters, like GB or US." maxLength={2} />
        <div className="sm:col-span-2">
          <FormError form={form as never} />
        </div>
        {canEdit && (
          <div className="sm:col-span-2">
            <Button type="submit" disabled={form.formState.isSubmitting}>
              Save company profile
            </Button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

function ContactsForm({ settings, canEdit, onSaved }: { settings: Settings; canEdit: boolean; onSaved: () => void }) {
  const trpc = useTRPC();
  const form = useZodForm(contactsInput, { billingEmail: settings.contacts.billingEmail ?? "", technicalEmail: settings.contacts.technicalEmail ?? "" });
  const save = useMutation(trpc.settings.updateContacts.mutationOptions());
  return (
    <form
      aria-label="Contacts"
      className="grid gap-4 sm:grid-cols-2"
      onSubmit={form.handleSubmit(async (values) => {
        try {
          await save.mutateAsync(values);
          toast.success("Contacts saved");
          onSaved();
        } catch (e) {
          applyServerErrors(form, e);
        }
      })}
    >
      <fieldset disabled={!canEdit} className="contents">
        <FormInput form={form} name="billingEmail" label="Billing contact email" type="email" hint="Optional: who receives statements and top-up news." />
        <FormInput form={form} name="technicalEmail" label="Technical contact email" type="email" hint="Optional: who hears about webhook and API problems." />
        <div className="sm:col-span-2">
          <FormError form={form as never} />
        </div>
        {canEdit && (
          <div className="sm:col-span-2">
            <Button type="submit" disabled={form.formState.isSubmitting}>
              Save contacts
            </Button>
          </div>
        )}
      </fieldset>
    </form>
  );
}

/** One threshold input (a decimal string, never a float) with its save button and error. */
function ThresholdRow({
  id,
  label,
  hint,
  initial,
  canEdit,
  saveLabel,
  onSave,
  onReset,
  resetLabel,
}: {
  id: string;
  label: string;
  hint: string;
  initial: string;
  canEdit: boolean;
  saveLabel: string;
  onSave: (value: string) => Promise<unknown>;
  onReset?: () => Promise<unknown>;
  resetLabel?: string;
}) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => setValue(initial), [initial]);
  const parsed = thresholdInput.shape.threshold.safeParse(value);
  return (
    <div className="flex flex-wrap items-end gap-3">
      <Field id={id} label={label} hint={hint} error={error} className="w-64">
        <input
          id={id}
          inputMode="decimal"
          value={value}
          disabled={!canEdit}
          onChange={(e) => setValue(e.target.value)}
          className={inputClasses(!!error)}
          {...describedBy(id, { hint, error })}
        />
      </Field>
      {canEdit && (
        <Button
          variant="secondary"
          onClick={async () => {
            if (!parsed.success || parsed.data === null) {
              setError(parsed.success ? "Enter an amount like 250.00." : parsed.error.issues[0]?.message);
              return;
            }
            setError(undefined);
            try {
              await onSave(parsed.data);
            } catch (e) {
              setError(e instanceof Error ? e.message : "Could not save");
            }
          }}
        >
          {saveLabel}
        </Button>
      )}
      {canEdit && onReset && resetLabel && (
        <Button variant="ghost" onClick={() => void onReset()}>
          {resetLabel}
        </Button>
      )}
    </div>
  );
}

function Thresholds({ settings, canEdit, onSaved }: { settings: Settings; canEdit: boolean; onSaved: () => void }) {
  const trpc = useTRPC();
  const locale = useLocale();
  const save = useMutation(trpc.settings.setLowBalanceThreshold.mutationOptions());
  const { environment, wallets } = settings.thresholds;
  const set = async (currency: string | null, threshold: string | null, message: string) => {
    await save.mutateAsync({ environment, currency, threshold });
    toast.success(message);
    onSaved();
  };
  return (
    <div className="space-y-5">
      <ThresholdRow
        id="threshold-default"
        label="Default threshold"
        hint="For every wallet without its own threshold, in its currency."
        initial={plainAmount(settings.thresholds.default)}
        canEdit={canEdit}
        saveLabel="Save default threshold"
        onSave={(v) => set(null, v, "Default threshold saved")}
      />
      {wallets.length === 0 ? (
        <p className="text-sm text-slate-600">No {environment} wallet yet: its threshold can be set once it exists.</p>
      ) : (
        wallets.map((w) => (
          <ThresholdRow
            key={w.currency}
            id={`threshold-${w.currency}`}
            label={`${w.currency} ${environment} wallet threshold`}
            hint={`Balance now ${money(w.balance, w.currency, locale)}. ${w.threshold === null ? "Uses the default." : "Its own threshold."}`}
            initial={plainAmount(w.threshold ?? settings.thresholds.default)}
            canEdit={canEdit}
            saveLabel={`Save ${w.currency} threshold`}
            onSave={(v) => set(w.currency, v, `${w.currency} ${environment} threshold saved`)}
            onReset={w.threshold === null ? undefined : () => set(w.currency, null, `${w.currency} ${environment} uses the default threshold again`)}
            resetLabel={`Use the default for ${w.currency}`}
          />
        ))
      )}
    </div>
  );
}

function EmailPreferences({ settings, canEdit, onSaved }: { settings: Settings; canEdit: boolean; onSaved: () => void }) {
  const trpc = useTRPC();
  const [reEngagement, setReEngagement] = useState(settings.emailPreferences.reEngagement);
  useEffect(() => setReEngagement(settings.emailPreferences.reEngagement), [settings.emailPreferences.reEngagement]);
  const save = useMutation(trpc.settings.updateEmailPreferences.mutationOptions());
  return (
    <div className="space-y-4">
      <label className="flex items-start gap-3 text-sm text-slate-800">
        <input
          type="checkbox"
          className="mt-0.5 size-4"
          checked={reEngagement}
          disabled={!canEdit}
          onChange={(e) => setReEngagement(e.target.checked)}
          aria-describedby="re-engagement-hint"
        />
        <span>
          Re-engagement emails
          <span id="re-engagement-hint" className="block text-xs text-slate-600">
            A reminder when nobody has used Steller for a while. Security, billing and alert emails are always sent.
          </span>
        </span>
      </label>
      {canEdit && (
        <Button
          variant="secondary"
          onClick={async () => {
            try {
              await save.mutateAsync({ reEngagement });
              toast.success(reEngagement ? "Re-engagement emails are on" : "Re-engagement emails are off");
              onSaved();
            } catch (e) {
              toast.error(e instanceof Error ? e.message : "Could not save");
            }
          }}
        >
          Save email preferences
        </Button>
      )}
    </div>
  );
}

export function SettingsForms({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { environment } = useEnvironment();
  const settings = useQuery(trpc.settings.get.queryOptions({ environment }));
  const refresh = () => void queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() });
  if (settings.isPending) return <Skeleton className="h-96" />;
  if (settings.error) return <ErrorState message={settings.error.message} onRetry={() => void settings.refetch()} />;
  const s = settings.data;
  return (
    <div className="space-y-6">
      {!canEdit && (
        <p role="status" className="rounded-md border border-slate-200 bg-slate-50 px-4 py-2 text-sm text-slate-700">
          Only owners can change settings; you can read them.
        </p>
      )}
      <Section id="profile-heading" title="Company profile" description="Your business as Steller knows it.">
        <ProfileForm key={JSON.stringify(s.profile)} settings={s} canEdit={canEdit} onSaved={refresh} />
      </Section>
      <Section id="contacts-heading" title="Contacts" description="Who we write to about billing and technical matters.">
        <ContactsForm key={JSON.stringify(s.contacts)} settings={s} canEdit={canEdit} onSaved={refresh} />
      </Section>
      <Section
        id="thresholds-heading"
        title={`Low-balance alerts (${environment})`}
        description="When a wallet falls below its threshold you get a wallet.low_balance webhook (and an email for live wallets), once per crossing. Switch the environment at the top to set the other one's."
      >
        <Thresholds settings={s} canEdit={canEdit} onSaved={refresh} />
      </Section>
      <Section id="email-heading" title="Email preferences" description="Which optional emails your company receives.">
        <EmailPreferences settings={s} canEdit={canEdit} onSaved={refresh} />
      </Section>
    </div>
  );
}
