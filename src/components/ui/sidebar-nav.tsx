"use client";

import type { LucideIcon } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "./cn";

export interface SidebarItem {
  href: string;
  label: string;
  icon: LucideIcon;
}

/**
 * A dashboard's side navigation: the current page is marked (`aria-current="page"`); the first
 * item (the area's home) is current only on its own path, the others on any path below them.
 */
export function SidebarNav({ items, label }: { items: readonly SidebarItem[]; label: string }) {
  const pathname = usePathname();
  const home = items[0]?.href;
  return (
    <nav className="flex-1 space-y-0.5 px-3" aria-label={label}>
      {items.map(({ href, label: text, icon: Icon }) => {
        const active = href === home ? pathname === href : pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex items-center gap-2 rounded-md px-3 py-2 text-sm font-medium",
              active ? "bg-brand-50 text-brand-900" : "text-slate-700 hover:bg-slate-100",
            )}
          >
            <Icon aria-hidden className="size-4" />
            {text}
          </Link>
        );
      })}
    </nav>
  );
}
