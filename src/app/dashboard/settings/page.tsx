import type { Metadata } from "next";
import { requireUser } from "@/server/auth/guards";
import { SettingsForms } from "./settings-forms";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requireUser("/dashboard/settings");
  return (
    <div>
      <h1 className="text-2xl font-semibold">Settings</h1>
      <p className="mt-1 text-sm text-slate-600">
        Your company&apos;s profile, contacts, low-balance alerts and email preferences. Only owners can change them.
      </p>
      <div className="mt-6">
        <SettingsForms canEdit={user.membership?.role === "owner"} />
      </div>
    </div>
  );
}
