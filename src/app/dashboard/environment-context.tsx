"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useState, useTransition } from "react";
import { switchEnvironment } from "./environment-action";
import type { DashboardEnvironment } from "./environment-shared";

const Ctx = createContext<{ environment: DashboardEnvironment; setEnvironment: (e: DashboardEnvironment) => void; pending: boolean } | null>(null);

/**
 * The environment every dashboard page asks its data for. Switching it stores the cookie and
 * refreshes server-rendered parts; client queries follow at once (the environment is in their input).
 */
export function EnvironmentProvider({ initial, children }: { initial: DashboardEnvironment; children: React.ReactNode }) {
  const [environment, set] = useState(initial);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const setEnvironment = (e: DashboardEnvironment) => {
    set(e);
    startTransition(async () => {
      await switchEnvironment(e);
      router.refresh();
    });
  };
  return <Ctx.Provider value={{ environment, setEnvironment, pending }}>{children}</Ctx.Provider>;
}

export function useEnvironment() {
  const ctx = useContext(Ctx);
  if (!ctx) throw new Error("useEnvironment outside EnvironmentProvider");
  return ctx;
}
