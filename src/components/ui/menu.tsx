"use client";

import { DropdownMenu as M } from "radix-ui";
import { cn } from "./cn";

export const Menu = M.Root;
export const MenuTrigger = M.Trigger;

/** A dropdown menu's panel (keyboard and focus handled by Radix). */
export function MenuContent({ children, align = "end", className }: { children: React.ReactNode; align?: "start" | "end"; className?: string }) {
  return (
    <M.Portal>
      <M.Content align={align} sideOffset={6} className={cn("z-50 min-w-48 rounded-md border border-slate-200 bg-white p-1 shadow-lg", className)}>
        {children}
      </M.Content>
    </M.Portal>
  );
}

export function MenuItem({ className, ...props }: React.ComponentProps<typeof M.Item>) {
  return (
    <M.Item
      className={cn(
        "flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-sm text-slate-800 outline-none select-none data-[highlighted]:bg-slate-100",
        className,
      )}
      {...props}
    />
  );
}

export function MenuLabel({ className, ...props }: React.ComponentProps<typeof M.Label>) {
  return <M.Label className={cn("px-2 py-1.5 text-xs font-medium text-slate-500", className)} {...props} />;
}

export const MenuSeparator = () => <M.Separator className="my-1 h-px bg-slate-100" />;
