"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { applyServerErrors, FormError, FormInput, useZodForm } from "@/components/ui/form";
import { createPartnerInput } from "@/lib/schemas/admin-partners";
import { useTRPC } from "@/trpc/react";
import { PartnerProfileFields } from "../profile-fields";

export function CreatePartnerForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useZodForm(createPartnerInput, {
    businessName: "",
    contactEmail: "",
    ownerEmail: "",
    country: "",
    registrationNumber: "",
    phone: "",
    address: "",
  });
  const create = useMutation(trpc.admin.partners.create.mutationOptions());
  return (
    <form
      noValidate
      aria-label="Create a partner"
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
      onSubmit={form.handleSubmit(async (values) => {
        try {
          const { partnerId, invitation } = await create.mutateAsync(values);
          toast.success(`Partner created; invitation sent to ${invitation.email}.`);
          router.push(`/admin/partners/${partnerId}`);
        } catch (e) {
          applyServerErrors(form, e);
        }
      })}
    >
      <PartnerProfileFields form={form} />
      <FormInput
        form={form}
        name="ownerEmail"
        label="Owner email"
        type="email"
        hint="Invited by email to set a password and join as the partner's owner (link valid 7 days)."
      />
      <FormError form={form as never} />
      <div className="flex justify-end">
        <Button type="submit" disabled={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? "Creating…" : "Create partner and invite owner"}
        </Button>
      </div>
    </form>
  );
}
