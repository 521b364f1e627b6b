"use client";

import { Menu as MenuIcon, X } from "lucide-react";
import { usePathname } from "next/navigation";
import { Dialog as D } from "radix-ui";
import { useEffect, useState } from "react";
import { Toaster } from "./toaster";

/**
 * A dashboard's frame: the sidebar (brand and navigation) at the left on wide screens; on
 * narrow ones (under 768 px) a "Open navigation" button in the header opens the same sidebar as a
 * drawer, closed again by any navigation. The header and an optional banner sit above the page.
 */
export function SidebarLayout({
  sidebar,
  header,
  banner,
  children,
}: {
  sidebar: React.ReactNode;
  header: React.ReactNode;
  banner?: React.ReactNode;
  children: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const pathname = usePathname();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new path (a link followed in the drawer) closes it
  useEffect(() => setOpen(false), [pathname]);
  return (
    <div className="flex min-h-screen">
      <aside className="hidden w-60 shrink-0 flex-col border-r border-slate-200 bg-white md:flex">{sidebar}</aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex items-center justify-between gap-3 border-b border-slate-200 bg-white px-4 py-3 md:px-8">
          <D.Root open={open} onOpenChange={setOpen}>
            <D.Trigger className="rounded-md p-1.5 text-slate-700 hover:bg-slate-100 md:hidden" aria-label="Open navigation">
              <MenuIcon aria-hidden className="size-5" />
            </D.Trigger>
            <D.Portal>
              <D.Overlay className="fixed inset-0 z-40 bg-slate-900/30" />
              <D.Content className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col overflow-y-auto bg-white shadow-xl">
                <D.Title className="sr-only">Navigation</D.Title>
                <D.Description className="sr-only">The pages of this dashboard</D.Description>
                <D.Close className="absolute top-4 right-3 rounded p-1 text-slate-500 hover:bg-slate-100" aria-label="Close navigation">
                  <X aria-hidden className="size-4" />
                </D.Close>
                {sidebar}
              </D.Content>
            </D.Portal>
          </D.Root>
          {header}
        </header>
        {banner}
        <main className="min-w-0 flex-1 px-4 py-6 md:px-8 md:py-8">{children}</main>
      </div>
      <Toaster />
    </div>
  );
}
