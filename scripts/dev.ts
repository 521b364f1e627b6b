import { runApp } from "../src/server/boot/run";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
// Local webhook receivers (localhost, a LAN address) work in development; the banner says so.
// Anywhere else private targets need WEBHOOK_ALLOW_PRIVATE_TARGETS=true set explicitly.
process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS ??= "true";
await runApp({ dev: true });
