import type { Metadata } from "next";
import { publicOrigin } from "@/components/portal/origin";
import { magicValues } from "./magic-values";
import { SandboxConsole } from "./sandbox-console";

export const metadata: Metadata = { title: "Sandbox console" };

export default async function ConsolePage() {
  return <SandboxConsole magic={magicValues()} origin={await publicOrigin()} />;
}
