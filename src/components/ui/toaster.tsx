"use client";

import { Toaster as Sonner } from "sonner";

/** Where toasts appear (once per layout); raise them with `toast()` from "sonner". Plain colours: the rich ones fail contrast (axe). */
export function Toaster() {
  return <Sonner position="bottom-right" closeButton toastOptions={{ className: "text-sm" }} />;
}
