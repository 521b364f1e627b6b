import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DocPage } from "@/components/docs/doc-page";
import { DOC_CONTENT } from "@/components/docs/pages";
import { docPage, DOC_PAGES } from "@/components/docs/registry";
import { publicOrigin } from "@/components/portal/origin";

export const dynamicParams = false;

export function generateStaticParams() {
  return DOC_PAGES.filter((p) => p.slug).map((p) => ({ slug: p.slug }));
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const page = docPage((await params).slug);
  return page ? { title: page.title, description: page.summary } : {};
}

export default async function DocsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const Content = DOC_CONTENT[slug];
  if (!slug || !docPage(slug) || !Content) notFound();
  return (
    <DocPage slug={slug}>
      <Content origin={await publicOrigin()} />
    </DocPage>
  );
}
