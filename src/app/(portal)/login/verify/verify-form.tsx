"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { describedBy, Field, inputClasses } from "@/components/ui/field";
import { logoutAction, type SecondFactorState, verifySecondFactorAction } from "@/server/auth/actions";

export function VerifyForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<SecondFactorState, FormData>(verifySecondFactorAction, {});
  return (
    <div className="space-y-4">
      <form action={action} className="space-y-4">
        <input type="hidden" name="next" value={next} />
        <Field id="code" label="Authentication code" error={state.error}>
          <input
            id="code"
            name="code"
            autoComplete="one-time-code"
            autoCapitalize="off"
            spellCheck={false}
            required
            maxLength={40}
            className={inputClasses(Boolean(state.error))}
            {...describedBy("code", { error: state.error })}
          />
        </Field>
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? "Checking…" : "Verify"}
        </Button>
      </form>
      <form action={logoutAction}>
        <Button type="submit" variant="ghost" size="sm" className="w-full">
          Sign out
        </Button>
      </form>
    </div>
  );
}
