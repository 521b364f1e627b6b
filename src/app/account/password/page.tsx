import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/change-password-form";

export const metadata: Metadata = { title: "Change password" };

export default function ChangePasswordPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Change password</h1>
      <p className="mt-1 mb-6 text-sm text-slate-600">Changing your password signs you out everywhere else.</p>
      <ChangePasswordForm />
    </div>
  );
}
