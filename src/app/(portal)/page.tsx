import Link from "next/link";

export default function Home() {
  return (
    <main className="mx-auto flex min-h-screen max-w-4xl flex-col justify-center px-6">
      <p className="text-sm font-semibold uppercase tracking-wider text-brand-600">Steller</p>
      <h1 className="mt-3 text-5xl font-bold tracking-tight text-slate-900">Digital gift cards, one API.</h1>
      <p className="mt-6 max-w-2xl text-lg text-slate-600">
        Fund a prepaid wallet, buy gift cards from hundreds of brands at your own prices, and deliver the codes to
        your customers in seconds.
      </p>
      <div className="mt-10 flex gap-4">
        <Link href="/login" className="rounded-md bg-brand-600 px-5 py-3 font-medium text-white hover:bg-brand-700">
          Sign in
        </Link>
      </div>
    </main>
  );
}
