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

/** Darker greys and method colours than Scalar's defaults, for WCAG AA contrast on white. */
const CUSTOM_CSS = `
.light-mode, .scalar-app, :root {
  --scalar-color-2: #3f3f46;
  --scalar-color-3: #52525b;
  --scalar-color-blue: #1d4ed8;
  --scalar-color-green: #047857;
  --scalar-color-orange: #b45309;
  --scalar-color-yellow: #854d0e;
  --scalar-color-red: #b91c1c;
  --scalar-color-purple: #6d28d9;
  --scalar-color-accent: #3d55d6;
}`;

/**
 * Names what Scalar leaves unnamed (axe: an auth header's name field is a combobox without a
 * name or aria-expanded; its editors and icon-only disclosure buttons have no accessible name).
 * Only elements with no name of their own are touched.
 */
function nameUnnamed(root: ParentNode) {
  for (const el of root.querySelectorAll<HTMLElement>('[role="combobox"], [role="textbox"], [contenteditable="true"]')) {
    if (!el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby")) {
      const label = el.dataset.placeholder || el.getAttribute("placeholder") || (el.getAttribute("role") === "combobox" ? "Name" : "Value");
      el.setAttribute("aria-label", label);
    }
    if (el.getAttribute("role") === "combobox" && !el.hasAttribute("aria-expanded")) el.setAttribute("aria-expanded", "false");
  }
  for (const b of root.querySelectorAll<HTMLButtonElement>("button[aria-controls]")) {
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what matters (a hidden label does not name the button)
    if (!b.innerText.trim() && !b.getAttribute("aria-label") && !b.getAttribute("aria-labelledby") && !b.title)
      b.setAttribute("aria-label", "Show or hide details");
  }
}

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
          customCss: CUSTOM_CSS,
          authentication: apiKey
            ? { preferredSecurityScheme: "apiKey", securitySchemes: { apiKey: { value: apiKey } } }
            : { preferredSecurityScheme: "apiKey" },
        });
      })
      .catch((e: unknown) => {
        if (el.current) el.current.textContent = e instanceof Error ? e.message : String(e);
      });
    // Scalar renders lazily and opens its client in a dialog outside the mount point.
    let frame = 0;
    const observer = new MutationObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => nameUnnamed(document.body));
    });
    observer.observe(document.body, { childList: true, subtree: true });
    return () => {
      cancelled = true;
      observer.disconnect();
      cancelAnimationFrame(frame);
      instance?.destroy();
    };
  }, [apiKey]);
  return <div ref={el} data-testid="api-reference" className="min-h-[70vh]" />;
}
