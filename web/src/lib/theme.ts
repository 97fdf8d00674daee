/** Light/dark: follows the system until the user picks one (kept in localStorage; not a secret). */
export type Theme = "light" | "dark";
const KEY = "cloudpam.theme";

export function initialTheme(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export function applyTheme(t: Theme, persist = false): void {
  document.documentElement.dataset.theme = t;
  if (persist) localStorage.setItem(KEY, t);
}
