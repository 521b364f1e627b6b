/**
 * The current sign-in code of the demo admin's authenticator (local use only: the seeded secret
 * is public), or of a TOTP secret given as the argument: `npm run admin:code [-- SECRET]`.
 */
import { currentCode } from "@/server/auth/totp";
import { DEMO_CREDENTIALS } from "@/server/boot/seed";

const secret = process.argv[2] ?? DEMO_CREDENTIALS.admin.totpSecret;
const left = 30 - (Math.floor(Date.now() / 1000) % 30);
console.log(`${currentCode(secret)}  (valid for ${left} more seconds, and the 30 s either side)`);
