import { z } from "zod";
import { defineContract, jsonResponse } from "../contract";

export const openApiDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export const getOpenApi = defineContract({
  method: "GET",
  path: "/api/v1/openapi.json",
  access: "public",
  tag: "Reference",
  summary: "This document",
  responses: { 200: jsonResponse(openApiDocument, "OpenAPI 3.1 document") },
});
