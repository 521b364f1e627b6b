import { runApp } from "../src/server/boot/run";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
await runApp({ dev: true });
