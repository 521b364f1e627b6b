import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Steller", template: "%s · Steller" },
  description: "Digital gift cards for your business, through one API.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
