import type { Metadata } from "next";
import { KeysManager } from "./keys-manager";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysPage() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">API keys</h1>
      <p className="mt-1 text-sm text-slate-600">
        Test keys (<code>stlr_test_…</code>) order with fake money from the mock supplier; live keys spend your live wallet. A secret is shown once, when the
        key is created or rotated.
      </p>
      <div className="mt-6">
        <KeysManager />
      </div>
    </div>
  );
}
