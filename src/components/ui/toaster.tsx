"use client";

import { Toaster as Sonner } from "sonner";

/** Where toasts appear (once per layout); raise them with `toast()` from "sonner". */
export function Toaster() {
  return <Sonner position="bottom-right" richColors closeButton toastOptions={{ className: "text-sm" }} />;
}
