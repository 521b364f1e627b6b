import { runApp } from "../src/server/boot/run";

await runApp({ dev: false });
