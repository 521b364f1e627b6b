import type { Metadata } from "next";
import { PartnersTable } from "./partners-table";

export const metadata: Metadata = { title: "Admin" };

export default function AdminHome() {
  return (
    <div>
      <h1 className="text-2xl font-semibold">Partners</h1>
      <p className="mt-1 text-sm text-slate-600">Every business on Steller, newest first.</p>
      <div className="mt-6">
        <PartnersTable />
      </div>
    </div>
  );
}
