"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { applyServerErrors, FormError, useZodForm } from "@/components/ui/form";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { updatePartnerInput } from "@/lib/schemas/admin-partners";
import { type RouterOutputs, useTRPC } from "@/trpc/react";
import { PartnerProfileFields } from "../profile-fields";

type Partner = RouterOutputs["admin"]["partners"]["get"]["partner"];

function useRefresh(partnerId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.admin.partners.get.queryKey({ partnerId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.admin.partners.list.queryKey() }),
    ]);
}

function EditProfileDialog({ partner }: { partner: Partner }) {
  const trpc = useTRPC();
  const refresh = useRefresh(partner.id);
  const [open, setOpen] = useState(false);
  const defaults = {
    partnerId: partner.id,
    businessName: partner.businessName,
    contactEmail: partner.contactEmail,
    country: partner.country ?? "",
    registrationNumber: partner.registrationNumber ?? "",
    phone: partner.phone ?? "",
    address: partner.address ?? "",
  };
  const form = useZodForm(updatePartnerInput, defaults);
  const update = useMutation(trpc.admin.partners.update.mutationOptions());
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) form.reset(defaults);
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary">Edit profile</Button>
      </DialogTrigger>
      <DialogContent title="Edit profile" description="Changes are kept in the audit log, before and after.">
        <form
          noValidate
          className="space-y-3"
          onSubmit={form.handleSubmit(async (values) => {
            try {
              const { changed } = await update.mutateAsync(values);
              toast.success(changed.length ? `Saved: ${changed.join(", ")}.` : "Nothing changed.");
              await refresh();
              setOpen(false);
            } catch (e) {
              applyServerErrors(form, e);
            }
          })}
        >
          <PartnerProfileFields form={form} />
          <FormError form={form as never} />
          <div className="flex justify-end gap-2 pt-2">
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={form.formState.isSubmitting}>
              {form.formState.isSubmitting ? "Saving…" : "Save changes"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

/** Edit, suspend or reactivate: each asks for confirmation, suspension and reactivation a reason. */
export function PartnerActions({ partner }: { partner: Partner }) {
  const trpc = useTRPC();
  const refresh = useRefresh(partner.id);
  const suspend = useMutation(trpc.admin.partners.suspend.mutationOptions());
  const reactivate = useMutation(trpc.admin.partners.reactivate.mutationOptions());
  return (
    <div className="flex flex-wrap gap-2">
      <EditProfileDialog partner={partner} />
      {partner.status === "active" ? (
        <ReasonDialog
          trigger={<Button className="bg-red-600 hover:bg-red-700">Suspend partner</Button>}
          title={`Suspend ${partner.businessName}`}
          consequence="At once: every API key of this partner answers 403 account_suspended, and its team loses access to the dashboard. Balances and orders stay as they are; reactivating restores access."
          confirmLabel="Suspend partner"
          danger
          onConfirm={async (reason) => {
            await suspend.mutateAsync({ partnerId: partner.id, reason });
            toast.success(`${partner.businessName} is suspended.`);
            await refresh();
          }}
        />
      ) : (
        <ReasonDialog
          trigger={<Button>Reactivate partner</Button>}
          title={`Reactivate ${partner.businessName}`}
          consequence="Its API keys work again (those not revoked or expired) and its team can sign in to the dashboard."
          confirmLabel="Reactivate partner"
          onConfirm={async (reason) => {
            await reactivate.mutateAsync({ partnerId: partner.id, reason });
            toast.success(`${partner.businessName} is active again.`);
            await refresh();
          }}
        />
      )}
    </div>
  );
}
