import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { getSessionUser, moveSessionTo } from "@/server/auth";
import { processServices } from "@/server/boot/services";
import { appRouter } from "@/server/trpc/root";

export const runtime = "nodejs";

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: async () => {
      const services = processServices();
      return { services, db: services.db, user: await getSessionUser(), headers: req.headers, moveSession: moveSessionTo };
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${path}: ${error.message}`);
    },
  });

export { handler as GET, handler as POST };
