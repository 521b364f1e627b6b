"use client";

import { useTransition } from "react";
import { switchWorkspace } from "./workspace-action";

/**
 * The user's workspaces (partners they belong to), when there is more than one: choosing one makes
 * it active and reloads the dashboard, so no page keeps the previous workspace's data.
 */
export function WorkspaceSwitcher({ active, workspaces }: { active: string; workspaces: Array<{ partnerId: string; partnerName: string; role: string }> }) {
  const [pending, start] = useTransition();
  if (workspaces.length < 2) return null;
  return (
    <div className="mt-2">
      <label htmlFor="workspace-switcher" className="block text-xs font-medium text-slate-700">
        Switch workspace
      </label>
      <select
        id="workspace-switcher"
        value={active}
        disabled={pending}
        aria-busy={pending}
        onChange={(e) => {
          const next = e.target.value;
          start(async () => {
            const { ok } = await switchWorkspace(next);
            if (ok) window.location.assign("/dashboard");
          });
        }}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900"
      >
        {workspaces.map((w) => (
          <option key={w.partnerId} value={w.partnerId}>
            {w.partnerName} ({w.role})
          </option>
        ))}
      </select>
    </div>
  );
}
