"use client";

import { createContext, useContext } from "react";
import { DEFAULT_LOCALE } from "./format";

const LocaleContext = createContext(DEFAULT_LOCALE);

/** The user's locale (from the request's Accept-Language), so server and browser render alike. */
export function LocaleProvider({ locale, children }: { locale: string; children: React.ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

export const useLocale = () => useContext(LocaleContext);
