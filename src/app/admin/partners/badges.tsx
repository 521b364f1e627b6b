import { Badge } from "@/components/ui/badge";

/** A partner's status: active, or suspended (its keys and sessions refused). */
export function PartnerStatusBadge({ status }: { status: string }) {
  return <Badge tone={status === "active" ? "success" : "danger"}>{status}</Badge>;
}

const ONBOARDING_TONES: Record<string, "neutral" | "brand" | "warning" | "success"> = {
  signed_up: "neutral",
  sandbox_active: "brand",
  kyc_pending: "warning",
  live: "success",
};

/** Where the partner is on the way to live access. */
export function OnboardingBadge({ state }: { state: string }) {
  return <Badge tone={ONBOARDING_TONES[state] ?? "neutral"}>{state.replace(/_/g, " ")}</Badge>;
}
