import type { ZodError } from "zod";

/**
 * A zod error in one sentence for people (the first problem, with the field it is about, and how
 * many more there are), and that field's path: the API's `message` and `param`, the message a
 * form shows above its fields.
 */
export function describeZodError(error: ZodError): { message: string; param?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: "The request is invalid" };
  const param = issue.path.join(".") || undefined;
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? "s" : ""})` : "";
  let message = issue.message;
  if (issue.code === "unrecognized_keys") message = `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}`;
  else if (issue.code === "invalid_type" && issue.message.includes("received undefined")) message = `${param ?? "value"} is required`;
  else if (param) message = `${param}: ${issue.message}`;
  return { message: message + extra, param };
}
