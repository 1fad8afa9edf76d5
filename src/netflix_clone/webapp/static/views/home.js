// Home: a hero and the browse rows, each scrolling sideways and paging on its own.
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { errorPanel, loading, removeButton, skeletonRows } from "./shell.js";
import { rowSection } from "./rows.js";

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
  for (const row of browse.rows) main.append(homeRow(row, progress));
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

function homeRow(row, progress) {
  const watching = row.reason.kind === "continue_watching";
  const more = (page) => api.get(`/api/browse/rows/${encodeURIComponent(row.id)}?page=${page}&per_row=${PER_ROW}`);
  const extras = (card) => {
    if (!watching) return null;
    const watch = progress.get(api.keyOf(api.kindOf(card), card.id));
    return watch ? { progress: watch.progress, episode: watch.episode || null } : null;
  };
  const section = rowSection(row, {
    more,
    extras,
    actions: watching ? (card, li) => [removeFromRow(card, li, () => section)] : null,
  });
  return section;
}

// Continue Watching: take a title out of the row (it stays in Viewing activity until hidden
// there too); an emptied row goes.
function removeFromRow(card, li, section) {
  const kind = api.kindOf(card);
  return removeButton({
    label: `Remove ${card.title} from Continue Watching`,
    title: "Remove from Continue Watching",
    remove: () => api.del(`/api/profile/continue-watching/${kind}/${card.id}`),
    item: li,
    done: `Removed ${card.title} from Continue Watching.`,
    failed: `${card.title} could not be removed.`,
    after: () => {
      const row = section();
      if (row.querySelector(".row-items > li")) row.refreshRow();
      else row.remove();
    },
    fallback: () => document.querySelector(".row-items a.card"),
  });
}
