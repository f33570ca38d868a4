// One sentence-part for a browser storage failure (IndexedDB), for the page's alerts: a
// DOMException such as QuotaExceededError may come with no message at all.
export function storageFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  if (!e.name || e.name === 'Error') return e.message || 'an unknown error';
  if (e.message) return `${e.name}: ${e.message}`;
  return e.name === 'QuotaExceededError' ? 'QuotaExceededError: the storage for this site is full' : e.name;
}
