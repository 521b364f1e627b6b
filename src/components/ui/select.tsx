"use client";

import { Check, ChevronDown } from "lucide-react";
import { Select as S } from "radix-ui";
import { cn } from "./cn";

/** Radix has no empty value: this one stands for "no choice" and is given back as "". */
const NONE = "__none__";

/** A select of a few options; `value` "" is the `placeholder` option (e.g. "All statuses"). */
export function Select({
  id,
  label,
  value,
  onValueChange,
  options,
  placeholder,
  className,
}: {
  id?: string;
  label: string;
  value: string;
  onValueChange: (value: string) => void;
  options: Array<{ value: string; label: string }>;
  placeholder?: string;
  className?: string;
}) {
  return (
    <S.Root value={value || NONE} onValueChange={(v) => onValueChange(v === NONE ? "" : v)}>
      <S.Trigger
        id={id}
        aria-label={label}
        className={cn(
          "inline-flex h-9 items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-sm",
          "focus:outline-none focus:ring-2 focus:ring-brand-100 focus:border-brand-500",
          className,
        )}
      >
        <S.Value />
        <S.Icon>
          <ChevronDown aria-hidden className="size-4 text-slate-500" />
        </S.Icon>
      </S.Trigger>
      <S.Portal>
        <S.Content
          position="popper"
          sideOffset={4}
          className="z-50 min-w-(--radix-select-trigger-width) rounded-md border border-slate-200 bg-white p-1 shadow-lg"
        >
          <S.Viewport>
            {[...(placeholder !== undefined ? [{ value: NONE, label: placeholder }] : []), ...options].map((o) => (
              <S.Item
                key={o.value}
                value={o.value}
                className="relative flex cursor-default items-center rounded py-1.5 pr-2 pl-7 text-sm text-slate-800 outline-none select-none data-[highlighted]:bg-slate-100"
              >
                <S.ItemIndicator className="absolute left-2">
                  <Check aria-hidden className="size-3.5" />
                </S.ItemIndicator>
                <S.ItemText>{o.label}</S.ItemText>
              </S.Item>
            ))}
          </S.Viewport>
        </S.Content>
      </S.Portal>
    </S.Root>
  );
}
