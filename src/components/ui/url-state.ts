"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

/** The page's query string as plain values: what a list is filtered, sorted and paged by. */
export type UrlParams = Record<string, string>;

/**
 * A list's state kept in the URL, so a filtered view is shareable and the back button walks
 * through it: each change pushes a history entry. Changing anything but the cursor (`after`)
 * goes back to the first page. Empty values are left out of the URL.
 */
export function useUrlParams(): [UrlParams, (patch: UrlParams) => void] {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const params = useMemo(() => Object.fromEntries(search.entries()), [search]);
  const set = useCallback(
    (patch: UrlParams) => {
      const next = new URLSearchParams(search.toString());
      if (!("after" in patch)) next.delete("after");
      for (const [k, v] of Object.entries(patch)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      const qs = next.toString();
      router.push(qs ? `${pathname}?${qs}` : pathname, { scroll: false });
    },
    [search, router, pathname],
  );
  return [params, set];
}
