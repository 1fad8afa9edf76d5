// Home: a hero and the browse rows, each scrolling sideways and paging on its own.
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { cardLink, errorPanel, loading, skeletonRows } from "./shell.js";

const PER_ROW = 20;

export async function homeView(main, _params, ctx) {
  const profile = api.currentProfile();
  document.title = "Home · netflix-clone";
  main.classList.add("home-main");
  main.append(
    h("h1", { class: "visually-hidden" }, `Home for ${profile.name}`),
    h("div", { class: "hero skeleton", "aria-hidden": "true" }),
    skeletonRows(3),
    loading("Loading your rows…"),
  );
  let browse;
  let watching = [];
  try {
    const [rows, cw] = await Promise.all([
      api.get(`/api/browse?per_row=${PER_ROW}`),
      api.get("/api/profile/continue-watching?per_page=40").catch(() => ({ items: [] })),
    ]);
    browse = rows;
    watching = cw.items;
  } catch (error) {
    if (!ctx.isCurrent()) return;
    const heading = main.querySelector("h1");
    clear(main).append(heading, errorPanel(error, () => ctx.navigate("/browse", { replace: true })));
    return;
  }
  if (!ctx.isCurrent()) return;
  const progress = new Map();
  for (const item of watching) {
    const card = api.titleOf(item);
    if (card) progress.set(api.keyOf(api.kindOf(card), card.id), item);
  }
  const heading = main.querySelector("h1");
  clear(main).append(heading);
  if (!browse.rows.length) {
    main.append(h("p", { class: "empty" }, "Nothing to show yet."));
    return;
  }
  main.append(hero(browse.rows));
  for (const row of browse.rows) main.append(rowSection(row, progress));
}

function hero(rows) {
  const preferred = rows.find((row) => row.reason.kind === "trending") || rows[0];
  const pick = preferred.items.find((card) => card.backdrop_url) || preferred.items[0];
  const kind = api.kindOf(pick);
  const backdrop = pick.backdrop_url
    ? h("img", { class: "hero-image", src: pick.backdrop_url, alt: "", width: 780, height: 439 })
    : null;
  return h("section", { class: "hero", "aria-labelledby": "hero-title" },
    backdrop,
    h("div", { class: "hero-text" },
      h("p", { class: "hero-kicker" }, preferred.title),
      h("h2", { id: "hero-title" }, pick.title),
      pick.overview ? h("p", { class: "hero-overview" }, pick.overview) : null,
      h("div", { class: "actions" },
        h("a", { class: "button primary", href: `/watch/${kind}/${pick.id}` }, "▶ Play", h("span", { class: "visually-hidden" }, ` ${pick.title}`)),
        h("a", { class: "button secondary", href: `/title/${kind}/${pick.id}` }, "More info", h("span", { class: "visually-hidden" }, ` about ${pick.title}`)),
      ),
    ),
  );
}

function rowSection(row, progress) {
  const headingId = `row-${row.id}-title`;
  const list = h("ul", { class: "row-items", "aria-labelledby": headingId });
  const seen = new Set();
  let page = row.page;
  let moreItem = null;

  const addCards = (items) => {
    for (const card of items) {
      const key = api.keyOf(api.kindOf(card), card.id);
      if (seen.has(key)) continue;
      seen.add(key);
      const watch = row.reason.kind === "continue_watching" ? progress.get(key) : null;
      const li = h("li", {}, cardLink(card, watch ? { progress: watch.progress, episode: watch.episode || null } : {}));
      if (moreItem) list.insertBefore(li, moreItem);
      else list.append(li);
    }
  };

  const status = h("p", { class: "row-status", role: "status" });
  const more = async () => {
    if (moreButton.disabled) return;
    moreButton.disabled = true;
    status.textContent = `Loading more of ${row.title}…`;
    try {
      const next = await api.get(`/api/browse/rows/${encodeURIComponent(row.id)}?page=${page + 1}&per_row=${PER_ROW}`);
      page = next.page;
      addCards(next.items);
      status.textContent = `${next.items.length} more titles in ${row.title}.`;
      if (!next.has_more) {
        observer?.disconnect();
        moreItem.remove();
        moreItem = null;
      }
    } catch (error) {
      status.textContent = `${error.title}: ${error.detail || error.message}`;
    } finally {
      moreButton.disabled = false;
    }
  };
  const moreButton = h("button", { type: "button", class: "more-card", onClick: more }, "More", h("span", { class: "visually-hidden" }, ` ${row.title}`));
  addCards(row.items);
  let observer = null;
  if (row.has_more) {
    moreItem = h("li", { class: "more-item" }, moreButton);
    list.append(moreItem);
    if ("IntersectionObserver" in window) {
      observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) more();
      }, { root: list, rootMargin: "0px 200px 0px 0px" });
      observer.observe(moreItem);
    }
  }
  const scroll = (direction) => list.scrollBy({ left: direction * list.clientWidth * 0.8, behavior: "smooth" });
  return h("section", { class: "row", "aria-labelledby": headingId, dataset: { row: row.id, reason: row.reason.kind } },
    h("div", { class: "row-head" },
      h("h2", { id: headingId }, row.title),
      h("div", { class: "row-scroll" },
        h("button", { type: "button", class: "scroll-button", onClick: () => scroll(-1), "aria-label": `Scroll ${row.title} left` }, "‹"),
        h("button", { type: "button", class: "scroll-button", onClick: () => scroll(1), "aria-label": `Scroll ${row.title} right` }, "›"),
      ),
    ),
    list,
    status,
  );
}
