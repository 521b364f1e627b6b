"use client";

import { ChevronDown, LogOut, UserRound } from "lucide-react";
import Link from "next/link";
import { Menu, MenuContent, MenuItem, MenuLabel, MenuSeparator, MenuTrigger } from "@/components/ui/menu";
import { logoutAction } from "@/server/auth/actions";

/** The signed-in user's menu at the top right of a dashboard: who and where, password, sign out. */
export function UserMenu({ name, email, detail, children }: { name: string; email: string; detail: string; children?: React.ReactNode }) {
  return (
    <Menu>
      <MenuTrigger className="inline-flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-100" aria-label={`Account menu for ${name}`}>
        <UserRound aria-hidden className="size-4 text-slate-600" />
        <span className="font-medium" data-testid="signed-in-user">
          {name}
        </span>
        <ChevronDown aria-hidden className="size-4 text-slate-500" />
      </MenuTrigger>
      <MenuContent>
        <MenuLabel>
          {email}
          <br />
          {detail}
        </MenuLabel>
        <MenuSeparator />
        {children}
        <MenuItem asChild>
          <Link href="/account/password">Change password</Link>
        </MenuItem>
        <MenuItem
          onSelect={() => {
            void logoutAction();
          }}
        >
          <LogOut aria-hidden className="size-4" /> Sign out
        </MenuItem>
      </MenuContent>
    </Menu>
  );
}
