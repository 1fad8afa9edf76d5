// The screens behind the main navigation besides Home: Series, Movies, New & Popular (rows of
// catalog lists and genres), My List (a grid) and Viewing activity (a history with remove).
import * as api from "../api.js";
import { clear, h } from "../dom.js";
import { cardLink, errorPanel, loading, percentOf, removeButton, skeletonRows } from "./shell.js";
import { rowSection } from "./rows.js";

const PER_ROW = 20;
const GENRE_ROWS = 8;

const KINDS = {
  movie: {
    path: "/api/movies",
    heading: "Movies",
    lists: [["popular", "Popular on netflix-clone"], ["trending", "Trending Now"], ["top_rated", "Top Rated"], ["now_playing", "In Cinemas Now"]],
  },
  series: {
    path: "/api/series",
    heading: "Series",
    lists: [["popular", "Popular Series"], ["trending", "Trending Series"], ["top_rated", "Top Rated Series"], ["on_the_air", "On the Air"]],
  },
};

// A row of one catalog list (or genre): its first page now, the rest on demand.
async function catalogRow(id, title, path, query) {
  const url = (page) => `${path}?${new URLSearchParams({ ...query, page: String(page) })}`;
  const first = await api.get(url(1));
  const row = { id, title, items: first.results, page: 1, has_more: first.page < first.total_pages };
  return rowSection(row, {
    more: async (page) => {
      const next = await api.get(url(page));
      return { items: next.results, page: next.page, has_more: next.page < next.total_pages };
    },
  });
}

// Rows load together; one that fails is left out (the rest still show), all failing is an error.
async function rowsPage(main, ctx, title, specs) {
  document.title = `${title} · netflix-clone`;
  main.classList.add("home-main");
  main.append(h("h1", { class: "page-title" }, title), skeletonRows(3), loading(`Loading ${title}…`));
  const settled = await Promise.allSettled(specs.map((spec) => spec()));
  if (!ctx.isCurrent()) return;
  const heading = main.querySelector("h1");
  clear(main).append(heading);
  const rows = settled.filter((r) => r.status === "fulfilled" && r.value.querySelector(".row-items > li")).map((r) => r.value);
  if (!rows.length) {
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) main.append(errorPanel(failed.reason, () => ctx.navigate(location.pathname, { replace: true })));
    else main.append(h("p", { class: "empty" }, "Nothing to show yet."));
    return;
  }
  main.append(...rows);
  for (const row of rows) row.refreshRow();
}

export function kindView(kind) {
  return async (main, _params, ctx) => {
    const { path, heading, lists } = KINDS[kind];
    let genres = [];
    try {
      genres = (await api.get(`/api/genres?kind=${kind}`)).genres;
    } catch {
      genres = []; // the lists still show
    }
    const specs = [
      ...lists.map(([list, title]) => () => catalogRow(`${kind}-${list}`, title, path, { list })),
      ...genres.slice(0, GENRE_ROWS).map((genre) => () => catalogRow(`${kind}-genre-${genre.id}`, genre.name, path, { genre: String(genre.id) })),
    ];
    await rowsPage(main, ctx, heading, specs);
  };
}

export async function latestView(main, _params, ctx) {
  await rowsPage(main, ctx, "New & Popular", [
    () => catalogRow("latest-trending", "Trending Now", "/api/movies", { list: "trending" }),
    () => catalogRow("latest-new", "New Releases", "/api/movies", { list: "now_playing" }),
    () => catalogRow("latest-coming", "Coming Soon", "/api/movies", { list: "upcoming" }),
    () => catalogRow("latest-airing", "New Episodes This Week", "/api/series", { list: "on_the_air" }),
    () => catalogRow("latest-series", "Popular Series", "/api/series", { list: "popular" }),
  ]);
}

// ---------------------------------------------------------------- My List

export async function myListView(main, _params, ctx) {
  document.title = "My List · netflix-clone";
  main.append(h("h1", { class: "page-title" }, "My List"), loading("Loading My List…"));
  let items;
  try {
    items = (await api.collect("/api/profile/list", 500)).map(api.titleOf).filter(Boolean);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    clear(main).append(h("h1", { class: "page-title" }, "My List"), errorPanel(error, () => ctx.navigate("/my-list", { replace: true })));
    return;
  }
  if (!ctx.isCurrent()) return;
  const heading = main.querySelector("h1");
  clear(main).append(heading);
  const count = h("p", { class: "result-count", role: "status" });
  const grid = h("ul", { class: "grid" });
  const setCount = () => {
    const n = grid.children.length;
    count.textContent = n ? `${n} title${n === 1 ? "" : "s"}` : "";
    if (!n) grid.replaceWith(emptyList());
  };
  for (const card of items) {
    const kind = api.kindOf(card);
    const li = h("li", { class: "grid-item" }, cardLink(card));
    li.append(h("div", { class: "card-actions" }, removeButton({
      label: `Remove ${card.title} from My List`,
      title: "Remove from My List",
      remove: () => api.removeFromList(kind, card.id),
      item: li,
      done: `Removed ${card.title} from My List.`,
      failed: `${card.title} could not be removed.`,
      after: setCount,
      fallback: () => heading,
    })));
    grid.append(li);
  }
  main.append(count, grid);
  setCount();
}

function emptyList() {
  return h("div", { class: "empty-state" },
    h("p", { class: "empty" }, "Your list is empty. Add movies and series with “+ My List” on any title."),
    h("a", { class: "button primary", href: "/browse" }, "Find something to watch"),
  );
}

// ---------------------------------------------------------------- Viewing activity

export async function activityView(main, _params, ctx) {
  document.title = "Viewing activity · netflix-clone";
  const heading = h("h1", { class: "page-title" }, "Viewing activity");
  main.append(heading, loading("Loading your viewing activity…"));
  let items;
  try {
    items = await api.collect("/api/profile/history", 500);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    clear(main).append(heading, errorPanel(error, () => ctx.navigate("/activity", { replace: true })));
    return;
  }
  if (!ctx.isCurrent()) return;
  clear(main).append(heading, h("p", { class: "lede" }, `What ${api.currentProfile()?.name || "this profile"} has watched, newest first. Hiding a title takes it out of Continue Watching and recommendations.`));
  if (!items.length) {
    main.append(h("p", { class: "empty" }, "Nothing watched yet."));
    return;
  }
  const list = h("ul", { class: "activity" });
  const dates = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  for (const item of items) {
    const card = api.titleOf(item);
    if (!card) continue;
    const kind = api.kindOf(card);
    const when = item.last_watched_at;
    const li = h("li", { class: "activity-item" },
      h("span", { class: "activity-date" }, when ? dates.format(new Date(when)) : ""),
      h("a", { class: "activity-title", href: `/title/${kind}/${card.id}` }, card.title,
        item.episode ? h("span", { class: "episode-label" }, ` · S${item.episode.season_number}:E${item.episode.episode_number}`) : null),
      h("span", { class: "activity-status" }, item.status === "finished" ? "Watched" : `${percentOf(item.progress)}% watched`),
    );
    li.append(removeButton({
      label: `Hide ${card.title} from viewing activity`,
      text: "Hide",
      className: "button small outline",
      remove: () => api.del(`/api/profile/history/${kind}/${card.id}`),
      item: li,
      done: `Hid ${card.title}.`,
      failed: `${card.title} could not be hidden.`,
      focus: "button",
      fallback: () => heading,
    }));
    list.append(li);
  }
  main.append(list);
}
