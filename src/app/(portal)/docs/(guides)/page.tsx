import type { Metadata } from "next";
import { DocPage } from "@/components/docs/doc-page";
import { QuickstartPage } from "@/components/docs/pages/quickstart";
import { publicOrigin } from "@/components/portal/origin";

export const metadata: Metadata = { title: "Quickstart" };

export default async function DocsHome() {
  return (
    <DocPage slug="">
      <QuickstartPage origin={await publicOrigin()} />
    </DocPage>
  );
}
