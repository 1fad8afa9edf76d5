// Search as you type: the header's box drives /search?q=; results replace each other in order.
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { cardLink, errorPanel } from "./shell.js";

let controller = null;

export async function searchView(main, _params, ctx) {
  const q = (ctx.params.get("q") || "").trim();
  document.title = q ? `Search: ${q} · netflix-clone` : "Search · netflix-clone";
  main.classList.add("search-main");
  const heading = h("h1", {}, q ? `Results for “${q}”` : "Search");
  const results = h("div", { class: "search-results", "aria-live": "polite" });
  main.append(heading, results);
  if (!q) {
    results.append(h("p", { class: "empty" }, "Type a title in the search box to find movies and series."));
    if (!document.activeElement || document.activeElement === document.body) {
      document.getElementById("search-input")?.focus();
    }
    return;
  }
  controller?.abort();
  controller = new AbortController();
  results.append(h("p", { class: "loading-text", role: "status" }, "Searching…"),
    h("ul", { class: "grid", "aria-hidden": "true" }, Array.from({ length: 6 }, () => h("li", { class: "skeleton skeleton-card" }))));
  let page;
  try {
    page = await api.search(q, controller.signal);
  } catch (error) {
    if (error.name === "AbortError" || !ctx.isCurrent()) return;
    clear(results).append(errorPanel(error, () => ctx.navigate(location.pathname + location.search, { replace: true, keepFocus: true })));
    return;
  }
  if (!ctx.isCurrent()) return;
  clear(results);
  if (!page.results.length) {
    results.append(h("p", { class: "empty" }, `No titles match “${q}”. Try another word.`));
    return;
  }
  results.append(
    h("p", { class: "result-count" }, `${page.total_results} title${page.total_results === 1 ? "" : "s"}`),
    h("ul", { class: "grid" }, page.results.map((card) => h("li", {}, cardLink(card)))),
  );
}
