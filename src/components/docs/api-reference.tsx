"use client";

import { useEffect, useRef } from "react";

interface ScalarInstance {
  destroy: () => void;
}
declare global {
  interface Window {
    Scalar?: { createApiReference: (el: HTMLElement, config: Record<string, unknown>) => ScalarInstance };
  }
}

let loading: Promise<void> | undefined;

/** Loads Scalar's bundle from our own route (/docs/api/scalar.js), once per page. */
function loadScalar(): Promise<void> {
  if (window.Scalar) return Promise.resolve();
  loading ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/docs/api/scalar.js";
    script.async = true;
    script.onload = () => resolve();
    script.onerror = () => {
      loading = undefined;
      reject(new Error("The API reference's script failed to load"));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/**
 * The interactive reference of /api/v1/openapi.json (Scalar), served entirely by this app: the
 * script from our route, no fonts from elsewhere, no proxy (requests go to this origin), no
 * telemetry, no AI agent. `apiKey` pre-fills "Try it" (the x-api-key scheme).
 */
export function ApiReference({ apiKey }: { apiKey: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let instance: ScalarInstance | undefined;
    let cancelled = false;
    loadScalar()
      .then(() => {
        if (cancelled || !el.current || !window.Scalar) return;
        el.current.replaceChildren();
        instance = window.Scalar.createApiReference(el.current, {
          url: "/api/v1/openapi.json",
          servers: [{ url: window.location.origin, description: "This Steller server (a test key reaches the sandbox)" }],
          withDefaultFonts: false,
          telemetry: false,
          agent: { disabled: true },
          showDeveloperTools: "never",
          hideDarkModeToggle: true,
          forceDarkModeState: "light",
          documentDownloadType: "json",
          persistAuth: false,
          authentication: {
            preferredSecurityScheme: "apiKey",
            securitySchemes: { apiKey: { value: apiKey } },
          },
        });
      })
      .catch((e: unknown) => {
        if (el.current) el.current.textContent = e instanceof Error ? e.message : String(e);
      });
    return () => {
      cancelled = true;
      instance?.destroy();
    };
  }, [apiKey]);
  return <div ref={el} data-testid="api-reference" className="min-h-[70vh]" />;
}
