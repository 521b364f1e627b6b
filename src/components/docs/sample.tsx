import "server-only";
import fs from "node:fs";
import path from "node:path";
import { CodeBlock } from "@/components/ui/code-block";

/** Where the runnable samples live: the docs show these files and tests execute them. */
const SAMPLES_DIR = path.join(process.cwd(), "docs", "samples");

function readSample(file: string): string {
  return fs.readFileSync(path.join(SAMPLES_DIR, file), "utf8").trimEnd();
}

/**
 * A code sample read from docs/samples/<file> when the page renders: the same file a test runs
 * against the app (tests/integration/docs-samples.test.ts, sdk-quickstart.test.ts).
 */
export function Sample({ file, title }: { file: string; title?: string }) {
  return (
    <div className="my-5" data-sample={file}>
      <CodeBlock title={title ?? file} code={readSample(file)} />
      <p className="mt-1.5 text-xs text-slate-500">docs/samples/{file} · run by the test suite against the API on every change</p>
    </div>
  );
}
