import type { Metadata } from "next";
import "./globals.css";

const description = "Digital gift cards for your business, through one API.";

export const metadata: Metadata = {
  // Absolute URLs for the Open Graph image: APP_URL in production, the local server otherwise.
  metadataBase: new URL(process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`),
  title: { default: "Steller", template: "%s · Steller" },
  description,
  // Served from public/: favicon.ico for every browser, the SVG where it is understood.
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
      { url: "/favicon.svg", type: "image/svg+xml" },
    ],
  },
  openGraph: {
    type: "website",
    siteName: "Steller",
    title: "Steller",
    description,
    images: [{ url: "/og.png", width: 1200, height: 630, alt: "Steller: digital gift cards for your business, through one API." }],
  },
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
