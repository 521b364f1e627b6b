"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/dialog";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { RelativeTime } from "@/components/ui/relative-time";
import { regenerateRecoveryCodesAction, resetSecondFactorAction } from "@/server/auth/actions";
import { RecoveryCodes } from "./recovery-codes";

interface AdminRow {
  userId: string;
  name: string;
  email: string;
  enrolledAt: string | null;
}

export function SecurityPanel({ me, recoveryCodesLeft, admins }: { me: string; recoveryCodesLeft: number; admins: AdminRow[] }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  return (
    <>
      <section aria-labelledby="codes-title" className="space-y-3 rounded-xl border border-slate-200 bg-white p-6">
        <h2 id="codes-title" className="text-lg font-semibold">
          Your recovery codes
        </h2>
        <p className="text-sm text-slate-700">{recoveryCodesLeft} of 10 unused. Each one signs you in once if you lose your authenticator.</p>
        {codes ? (
          <RecoveryCodes codes={codes} />
        ) : (
          <ConfirmDialog
            trigger={<Button variant="secondary">Generate new recovery codes</Button>}
            title="Generate new recovery codes?"
            consequence="Your current recovery codes stop working at once; the 10 new ones are shown once."
            confirmLabel="Generate new codes"
            onConfirm={async () => {
              const result = await regenerateRecoveryCodesAction();
              if (!result.ok) throw new Error(result.error);
              setCodes(result.recoveryCodes);
            }}
          />
        )}
      </section>

      <section aria-labelledby="admins-title" className="rounded-xl border border-slate-200 bg-white">
        <h2 id="admins-title" className="px-6 pt-5 text-lg font-semibold">
          Administrators
        </h2>
        <p className="px-6 pt-1 text-sm text-slate-700">
          Reset the authenticator of an administrator who lost it: their sessions end and their next sign-in sets up a new one.
        </p>
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-y border-slate-200 bg-slate-50 text-xs font-medium text-slate-700 uppercase">
              <tr>
                <th scope="col" className="px-6 py-2">
                  Administrator
                </th>
                <th scope="col" className="px-6 py-2">
                  Two-step verification
                </th>
                <th scope="col" className="px-6 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr key={a.userId} className="border-b border-slate-100 last:border-0">
                  <td className="px-6 py-3">
                    <div className="font-medium text-slate-900">
                      {a.name}
                      {a.userId === me ? " (you)" : ""}
                    </div>
                    <div className="text-slate-600">{a.email}</div>
                  </td>
                  <td className="px-6 py-3">
                    {a.enrolledAt ? (
                      <span className="flex flex-wrap items-center gap-2">
                        <Badge tone="success">On</Badge>
                        <span className="text-slate-600">
                          since <RelativeTime value={a.enrolledAt} />
                        </span>
                      </span>
                    ) : (
                      <Badge tone="warning">Not set up</Badge>
                    )}
                  </td>
                  <td className="px-6 py-3 text-right">
                    {a.enrolledAt && (
                      <ReasonDialog
                        trigger={
                          <Button variant="secondary" size="sm">
                            Reset authenticator of {a.name}
                          </Button>
                        }
                        title={`Reset the authenticator of ${a.name}?`}
                        consequence={
                          a.userId === me
                            ? "Your authenticator and recovery codes are removed and you are signed out: your next sign-in sets up a new authenticator."
                            : `${a.name}'s authenticator and recovery codes are removed and their sessions end: their next sign-in sets up a new authenticator.`
                        }
                        confirmLabel="Reset authenticator"
                        danger
                        onConfirm={async (reason) => {
                          const result = await resetSecondFactorAction({ userId: a.userId, reason });
                          if (!result.ok) throw new Error(result.error);
                          router.refresh();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
