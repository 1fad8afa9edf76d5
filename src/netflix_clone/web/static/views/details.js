// Details of a movie or a series: overview, facts, cast, trailer, My List, ratings, seasons.
import * as api from "../api.js";
import { clear, h, toast } from "../dom.js";
import { blockedPage, cardLink, errorPanel, loading, notFoundPage, runtimeText } from "./shell.js";

const RATINGS = [
  ["dislike", "Not for me"],
  ["like", "I like this"],
  ["love", "Love this!"],
];

// What this profile has done with a title: in My List, its rating, where it stopped.
export async function memberState(kind, id) {
  const key = api.keyOf(kind, id);
  const [list, ratings, history] = await Promise.all([
    api.collect("/api/profile/list"),
    api.collect("/api/profile/ratings"),
    api.collect("/api/profile/history", 300),
  ]);
  const matches = (item) => {
    const card = api.titleOf(item);
    return card && api.keyOf(api.kindOf(card), card.id) === key;
  };
  return {
    inList: list.some(matches),
    rating: ratings.find(matches)?.rating || null,
    watch: history.find(matches) || null,
  };
}

export async function detailsView(main, [kind, rawId], ctx) {
  const id = Number(rawId);
  main.classList.add("details-main");
  main.append(
    h("div", { class: "details-skeleton", "aria-hidden": "true" },
      h("div", { class: "skeleton hero" }),
      h("div", { class: "skeleton skeleton-heading" }),
      h("div", { class: "skeleton skeleton-text" }),
    ),
    loading("Loading the title…"),
  );
  let title;
  let state;
  try {
    [title, state] = await Promise.all([api.details(kind, id), memberState(kind, id)]);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    clear(main);
    if (error.code === "maturity-restricted") blockedPage(main);
    else if (error.status === 404) notFoundPage(main);
    else {
      document.title = "Error · netflix-clone";
      main.append(h("h1", {}, "This title could not be loaded"), errorPanel(error, () => ctx.navigate(location.pathname, { replace: true })));
    }
    return;
  }
  if (!ctx.isCurrent()) return;
  clear(main);
  document.title = `${title.title} · netflix-clone`;
  main.append(render(kind, title, state, ctx));
}

function facts(kind, title) {
  const items = [];
  if (title.year) items.push(h("li", {}, String(title.year)));
  if (kind === "movie" && title.runtime) items.push(h("li", {}, runtimeText(title.runtime)));
  if (kind === "series" && title.number_of_seasons) {
    items.push(h("li", {}, `${title.number_of_seasons} season${title.number_of_seasons === 1 ? "" : "s"}`));
  }
  const rating = title.certification || title.content_rating;
  if (rating) items.push(h("li", {}, h("span", { class: "maturity", "aria-label": `Rated ${rating}` }, rating)));
  if (title.rating) items.push(h("li", {}, `★ ${title.rating.toFixed(1)}`));
  if (title.genres?.length) items.push(h("li", {}, title.genres.map((g) => g.name).join(", ")));
  return h("ul", { class: "facts", "aria-label": "Facts" }, items);
}

function render(kind, title, state, ctx) {
  const backdrop = title.backdrop_url_large || title.backdrop_url;
  const status = h("p", { class: "action-status", role: "status" });
  const resume = state.watch && state.watch.status === "in_progress" ? state.watch : null;
  const playHref = resume && resume.episode
    ? `/watch/${kind}/${title.id}?season=${resume.episode.season_number}&episode=${resume.episode.episode_number}`
    : `/watch/${kind}/${title.id}`;

  const listButton = h("button", { type: "button", class: "button secondary toggle", "aria-pressed": String(state.inList) },
    h("span", { class: "toggle-icon", "aria-hidden": "true" }, state.inList ? "✓" : "+"), " My List");
  listButton.addEventListener("click", async () => {
    const adding = listButton.getAttribute("aria-pressed") !== "true";
    listButton.disabled = true;
    try {
      if (adding) await api.addToList(kind, title.id);
      else await api.removeFromList(kind, title.id);
      listButton.setAttribute("aria-pressed", String(adding));
      listButton.querySelector(".toggle-icon").textContent = adding ? "✓" : "+";
      status.textContent = adding ? `Added ${title.title} to My List.` : `Removed ${title.title} from My List.`;
    } catch (error) {
      status.textContent = "";
      toast(`${error.title}: ${error.detail || error.message}`, "error");
    } finally {
      listButton.disabled = false;
    }
  });

  const rateButtons = RATINGS.map(([value, label]) => {
    const button = h("button", {
      type: "button",
      class: "button outline small rate-button",
      "aria-pressed": String(state.rating === value),
      dataset: { rating: value },
    }, label);
    button.addEventListener("click", async () => {
      const clearing = button.getAttribute("aria-pressed") === "true";
      for (const other of rateButtons) other.disabled = true;
      try {
        if (clearing) await api.unrate(kind, title.id);
        else await api.rate(kind, title.id, value);
        for (const other of rateButtons) {
          other.setAttribute("aria-pressed", String(!clearing && other === button));
        }
        status.textContent = clearing ? "Rating removed." : `Rated: ${label}`;
      } catch (error) {
        toast(`${error.title}: ${error.detail || error.message}`, "error");
      } finally {
        for (const other of rateButtons) other.disabled = false;
      }
    });
    return button;
  });

  const people = [];
  if (title.directors?.length) people.push(h("p", {}, h("strong", {}, "Director: "), title.directors.map((d) => d.name).join(", ")));
  if (title.creators?.length) people.push(h("p", {}, h("strong", {}, "Created by: "), title.creators.map((d) => d.name).join(", ")));
  if (title.networks?.length) people.push(h("p", {}, h("strong", {}, "Network: "), title.networks.map((d) => d.name).join(", ")));

  const cast = title.cast?.length
    ? h("section", { class: "cast", "aria-labelledby": "cast-title" },
        h("h2", { id: "cast-title" }, "Cast"),
        h("ul", { class: "cast-list" }, title.cast.map((person) =>
          h("li", {},
            person.profile_url
              ? h("img", { src: person.profile_url, alt: "", loading: "lazy", width: 92, height: 138 })
              : h("span", { class: "cast-fallback", "aria-hidden": "true" }, person.name.charAt(0)),
            h("span", { class: "cast-name" }, person.name),
            person.character ? h("span", { class: "cast-character" }, person.character) : null,
          ))),
      )
    : null;

  const trailer = title.trailer
    ? h("a", { class: "button outline", href: title.trailer.url, target: "_blank", rel: "noopener noreferrer" },
        `Watch the trailer on ${title.trailer.site}`, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))
    : null;

  const recommendations = title.recommendations?.length
    ? h("section", { class: "row", "aria-labelledby": "more-like-this" },
        h("div", { class: "row-head" }, h("h2", { id: "more-like-this" }, "More like this")),
        h("ul", { class: "row-items", "aria-labelledby": "more-like-this" }, title.recommendations.map((card) => h("li", {}, cardLink(card)))),
      )
    : null;

  return h("article", { class: "details" },
    h("div", { class: "details-hero" },
      backdrop ? h("img", { class: "details-backdrop", src: backdrop, alt: "", width: 1280, height: 720 }) : null,
      h("div", { class: "details-head" },
        h("h1", {}, title.title),
        title.tagline ? h("p", { class: "tagline" }, title.tagline) : null,
        facts(kind, title),
        h("div", { class: "actions" },
          h("a", { class: "button primary", href: playHref }, resume ? "▶ Resume" : "▶ Play"),
          listButton,
          h("div", { class: "rate-group", role: "group", "aria-label": "Rate this title" }, rateButtons),
        ),
        resume ? resumeBar(resume) : null,
        status,
      ),
    ),
    h("div", { class: "details-body" },
      h("p", { class: "overview" }, title.overview || "No overview yet."),
      people,
      trailer,
      kind === "series" ? seasonsSection(title, ctx) : null,
      cast,
      recommendations,
    ),
  );
}

function resumeBar(watch) {
  const percent = Math.round(watch.progress * 100);
  const bar = h("span", { class: "progress", role: "progressbar", "aria-label": `Watched ${percent}%`, "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(percent) },
    h("span", { class: "progress-fill" }));
  bar.firstChild.style.setProperty("width", `${percent}%`);
  const episode = watch.episode ? `S${watch.episode.season_number}:E${watch.episode.episode_number} · ` : "";
  return h("div", { class: "resume" }, bar, h("span", {}, `${episode}${percent}% watched`));
}

function seasonsSection(series, _ctx) {
  const seasons = (series.seasons || []).filter((s) => s.season_number > 0);
  if (!seasons.length) return null;
  const episodes = h("ol", { class: "episodes", "aria-live": "polite" });
  const picker = h("select", { id: "season-picker", name: "season" },
    seasons.map((s) => h("option", { value: String(s.season_number) }, s.name || `Season ${s.season_number}`)));
  const load = async (number) => {
    clear(episodes).append(h("li", { class: "loading-text" }, "Loading episodes…"));
    try {
      const season = await api.season(series.id, number);
      clear(episodes).append(...season.episodes.map((episode) =>
        h("li", { class: "episode" },
          episode.still_url ? h("img", { src: episode.still_url, alt: "", loading: "lazy", width: 300, height: 169 }) : null,
          h("div", { class: "episode-text" },
            h("h3", {}, `${episode.episode_number}. ${episode.name || `Episode ${episode.episode_number}`}`),
            h("p", { class: "episode-meta" }, [runtimeText(episode.runtime), episode.air_date].filter(Boolean).join(" · ")),
            episode.overview ? h("p", {}, episode.overview) : null,
            h("a", {
              class: "button secondary small",
              href: `/watch/series/${series.id}?season=${number}&episode=${episode.episode_number}`,
            }, "▶ Play", h("span", { class: "visually-hidden" }, ` episode ${episode.episode_number}: ${episode.name || ""}`)),
          ),
        )));
    } catch (error) {
      clear(episodes).append(h("li", {}, errorPanel(error, () => load(number))));
    }
  };
  picker.addEventListener("change", () => load(Number(picker.value)));
  load(seasons[0].season_number);
  return h("section", { class: "seasons", "aria-labelledby": "episodes-title" },
    h("div", { class: "seasons-head" },
      h("h2", { id: "episodes-title" }, "Episodes"),
      h("label", { for: "season-picker" }, "Season"),
      picker,
    ),
    episodes,
  );
}
