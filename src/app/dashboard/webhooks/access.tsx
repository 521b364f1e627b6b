import { requireUser } from "@/server/auth/guards";

/** Owners and developers manage webhooks (the procedures refuse finance too; this says so instead of failing). */
export async function webhooksAccess(path: string): Promise<{ allowed: boolean; notice: React.ReactNode }> {
  const user = await requireUser(path);
  const role = user.membership?.role;
  const allowed = role === "owner" || role === "developer";
  return {
    allowed,
    notice: allowed ? null : (
      <div role="status" className="rounded-lg border border-slate-200 bg-white p-6 text-sm text-slate-700">
        <p className="font-medium text-slate-900">Webhooks are not available for your role ({role ?? "none"}).</p>
        <p className="mt-1">Owners and developers manage endpoints and deliveries; ask an owner of your team if you need one checked.</p>
      </div>
    ),
  };
}
