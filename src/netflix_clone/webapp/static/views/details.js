// Details of a movie or a series: a backdrop behind the title, overview and actions (all above
// the fold), then facts, episodes per season (opening on the member's resumed episode), cast and
// "More like this".
import * as api from "../api.js";
import { clear, h, toast } from "../dom.js";
import { blockedPage, cardLink, errorPanel, loading, notFoundPage, percentOf, progressBar, runtimeText } from "./shell.js";

const RATINGS = [
  ["dislike", "Not for me"],
  ["like", "I like this"],
  ["love", "Love this!"],
];
const MAX_RECOMMENDATIONS = 12;
const MAX_CAST = 12;

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
  main.append(
    h("div", { class: "details-skeleton", "aria-hidden": "true" },
      h("div", { class: "skeleton details-skeleton-art" }),
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

// ---------------------------------------------------------------- small pieces

const label = (ep) => `S${ep.season_number}:E${ep.episode_number}`;

function dateText(iso) {
  if (!iso) return null;
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return null;
  return new Intl.DateTimeFormat("en", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

function leftText(watch) {
  const seconds = (watch.duration_seconds || 0) - (watch.position_seconds || 0);
  if (!watch.duration_seconds || seconds <= 0) return null;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return `${runtimeText(minutes)} left`;
}

// Where the member is in this title: the episode to resume (series), how far, and what to say.
function resumePoint(kind, watch) {
  if (!watch || watch.status !== "in_progress") return null;
  const started = (watch.position_seconds || 0) > 0 && (watch.progress || 0) > 0;
  const episode = kind === "series" && watch.episode ? watch.episode : null;
  if (kind === "series" && !episode) return null;
  return { episode, started, progress: started ? watch.progress : 0, watch };
}

function facts(kind, title) {
  const items = [];
  if (title.year) items.push(h("li", {}, String(title.year)));
  if (kind === "movie" && title.runtime) items.push(h("li", {}, runtimeText(title.runtime)));
  if (kind === "series" && title.number_of_seasons) {
    items.push(h("li", {}, `${title.number_of_seasons} season${title.number_of_seasons === 1 ? "" : "s"}`));
  }
  const rating = title.certification || title.content_rating;
  if (rating) items.push(h("li", {}, h("span", { class: "maturity", role: "img", "aria-label": `Rated ${rating}` }, rating)));
  if (typeof title.rating === "number" && title.rating > 0) {
    items.push(h("li", {}, h("span", { "aria-hidden": "true" }, "★ "), `${title.rating.toFixed(1)}`, h("span", { class: "visually-hidden" }, " out of 10")));
  }
  const genres = (title.genres || []).map((g) => g && g.name).filter(Boolean);
  if (genres.length) items.push(h("li", {}, genres.join(", ")));
  return h("ul", { class: "facts", "aria-label": "Facts" }, items);
}

// The overview, clamped to a few lines with a button to read it all when it is longer.
function overview(text) {
  const body = h("p", { class: "overview", id: "details-overview" }, text || "No overview yet.");
  const more = h("button", { type: "button", class: "overview-more", "aria-expanded": "false", "aria-controls": "details-overview", hidden: true }, "More");
  more.addEventListener("click", () => {
    const open = more.getAttribute("aria-expanded") !== "true";
    more.setAttribute("aria-expanded", String(open));
    more.textContent = open ? "Less" : "More";
    body.classList.toggle("expanded", open);
  });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => {
      if (body.classList.contains("expanded")) return;
      more.hidden = body.scrollHeight <= body.clientHeight + 1;
    }).observe(body);
  }
  return h("div", { class: "overview-box" }, body, more);
}

function backdrop(title) {
  const small = title.backdrop_url;
  const large = title.backdrop_url_large;
  if (!small && !large) return null;
  const attrs = { class: "details-backdrop", src: large || small, alt: "", width: 1280, height: 720, decoding: "async", fetchpriority: "high" };
  if (small && large && small !== large) {
    attrs.srcset = `${small} 780w, ${large} 1280w`;
    attrs.sizes = "100vw";
  }
  const img = h("img", attrs);
  const art = h("div", { class: "details-art" }, img);
  img.addEventListener("error", () => {
    art.closest(".details-hero")?.classList.remove("has-art");
    art.remove();
  }, { once: true });
  return art;
}

// ---------------------------------------------------------------- the page

function render(kind, title, state, ctx) {
  const status = h("p", { class: "action-status", role: "status" });
  const resume = resumePoint(kind, state.watch);
  const playHref = resume && resume.episode
    ? `/watch/${kind}/${title.id}?season=${resume.episode.season_number}&episode=${resume.episode.episode_number}`
    : `/watch/${kind}/${title.id}`;
  let playText = "▶ Play";
  if (resume && resume.episode) playText = `▶ ${resume.started ? "Resume" : "Play"} ${label(resume.episode)}`;
  else if (resume && resume.started) playText = "▶ Resume";

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

  const rateButtons = RATINGS.map(([value, text]) => {
    const button = h("button", {
      type: "button",
      class: "button outline small rate-button",
      "aria-pressed": String(state.rating === value),
      dataset: { rating: value },
    }, text);
    button.addEventListener("click", async () => {
      const clearing = button.getAttribute("aria-pressed") === "true";
      for (const other of rateButtons) other.disabled = true;
      try {
        if (clearing) await api.unrate(kind, title.id);
        else await api.rate(kind, title.id, value);
        for (const other of rateButtons) {
          other.setAttribute("aria-pressed", String(!clearing && other === button));
        }
        status.textContent = clearing ? "Rating removed." : `Rated: ${text}`;
      } catch (error) {
        toast(`${error.title}: ${error.detail || error.message}`, "error");
      } finally {
        for (const other of rateButtons) other.disabled = false;
      }
    });
    return button;
  });

  const resumeBox = resume ? resumeLine(resume) : null;
  // Once the resumed season is loaded, the line names the episode too.
  const named = (episode) => {
    const text = resumeBox?.querySelector(".resume-text");
    if (text && episode?.name) text.textContent = resumeText(resume, episode.name);
  };
  const art = backdrop(title);
  const hero = h("div", { class: `details-hero${art ? " has-art" : ""}` },
    art,
    h("div", { class: "details-head" },
      h("h1", {}, title.title),
      facts(kind, title),
      overview(title.overview),
      h("div", { class: "actions details-actions" },
        h("a", { class: "button primary play", href: playHref }, playText),
        listButton,
        h("div", { class: "rate-group", role: "group", "aria-label": "Rate this title" }, rateButtons),
      ),
      resumeBox,
      status,
    ),
  );

  return h("article", { class: "details" },
    hero,
    h("div", { class: "details-body" },
      about(kind, title),
      kind === "series" ? seasonsSection(title, resume, ctx, named) : null,
      castSection(title),
      recommendationsSection(title),
    ),
  );
}

// Under the actions: how far the member is (nothing for an episode not started yet).
function resumeText(resume, episodeName = "") {
  const parts = [];
  if (resume.episode) {
    const which = episodeName ? `${label(resume.episode)} “${episodeName}”` : label(resume.episode);
    parts.push(resume.started ? which : `Up next: ${which}`);
  }
  if (resume.started) {
    parts.push(`${percentOf(resume.progress)}% watched`);
    const left = leftText(resume.watch);
    if (left) parts.push(left);
  }
  return parts.join(" · ");
}

function resumeLine(resume) {
  const text = resumeText(resume);
  if (!text) return null;
  return h("div", { class: "resume" },
    resume.started ? progressBar(resume.progress, "resume-progress") : null,
    h("span", { class: "resume-text" }, text),
  );
}

function about(kind, title) {
  const names = (people) => (people || []).map((p) => p && p.name).filter(Boolean).join(", ");
  const rows = [];
  const add = (term, value) => {
    if (value) rows.push(h("div", { class: "about-row" }, h("dt", {}, term), h("dd", {}, value)));
  };
  add((title.directors || []).length > 1 ? "Directors" : "Director", names(title.directors));
  add("Created by", names(title.creators));
  add("Starring", names((title.cast || []).slice(0, 3)));
  add("Network", names(title.networks));
  if (title.tagline) add("Tagline", title.tagline);
  const trailer = title.trailer && title.trailer.url
    ? h("a", { class: "button outline small trailer", href: title.trailer.url, target: "_blank", rel: "noopener noreferrer" },
        `Watch the trailer on ${title.trailer.site || "the web"}`, h("span", { class: "visually-hidden" }, " (opens in a new tab)"))
    : null;
  if (!rows.length && !trailer) return null;
  return h("div", { class: "about" }, rows.length ? h("dl", { class: "about-list" }, rows) : null, trailer);
}

function castSection(title) {
  const cast = (title.cast || []).filter((p) => p && p.name).slice(0, MAX_CAST);
  if (!cast.length) return null;
  return h("section", { class: "cast", "aria-labelledby": "cast-title" },
    h("h2", { id: "cast-title" }, "Cast"),
    h("ul", { class: "cast-list" }, cast.map((person) => {
      const fallback = () => h("span", { class: "cast-photo cast-fallback", "aria-hidden": "true" }, person.name.trim().charAt(0).toUpperCase());
      let photo = fallback();
      if (person.profile_url) {
        photo = h("img", { class: "cast-photo", src: person.profile_url, alt: "", loading: "lazy", decoding: "async", width: 185, height: 278 });
        const img = photo;
        img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
      }
      return h("li", { class: "cast-member" },
        photo,
        h("span", { class: "cast-text" },
          h("span", { class: "cast-name" }, person.name),
          person.character ? h("span", { class: "cast-character" }, person.character) : null,
        ),
      );
    })),
  );
}

function recommendationsSection(title) {
  const cards = (title.recommendations || []).filter((c) => c && c.id && c.title).slice(0, MAX_RECOMMENDATIONS);
  if (!cards.length) return null;
  return h("section", { class: "more-like-this", "aria-labelledby": "more-like-this" },
    h("h2", { id: "more-like-this" }, "More like this"),
    h("ul", { class: "more-grid" }, cards.map((card) => h("li", {}, cardLink(card)))),
  );
}

// ---------------------------------------------------------------- seasons and episodes

function seasonsSection(series, resume, ctx, onResumeSeason) {
  const all = (series.seasons || []).filter((s) => s && Number.isInteger(s.season_number));
  const resumeSeason = resume?.episode?.season_number;
  // Specials (season 0) only when the member is in them.
  const seasons = all.filter((s) => s.season_number > 0 || s.season_number === resumeSeason);
  if (!seasons.length) return null;
  const has = (n) => seasons.some((s) => s.season_number === n);
  const asked = Number(ctx.params?.get("season"));
  let first = seasons[0].season_number;
  if (Number.isInteger(asked) && has(asked)) first = asked;
  else if (resumeSeason !== undefined && has(resumeSeason)) first = resumeSeason;

  const episodes = h("ol", { class: "episodes", "aria-labelledby": "season-picker-label" });
  const announce = h("p", { class: "visually-hidden", role: "status" });
  const picker = h("select", { id: "season-picker", name: "season", class: "season-picker" },
    seasons.map((s) => h("option", { value: String(s.season_number), selected: s.season_number === first },
      s.name || (s.season_number === 0 ? "Specials" : `Season ${s.season_number}`))));
  picker.value = String(first);
  const cache = new Map();
  let seq = 0;

  const load = async (number, { initial = false } = {}) => {
    const mine = ++seq;
    if (!cache.has(number)) {
      clear(episodes).append(h("li", { class: "loading-text" }, "Loading episodes…"));
      episodes.setAttribute("aria-busy", "true");
    }
    try {
      if (!cache.has(number)) cache.set(number, await api.season(series.id, number));
      if (mine !== seq) return;
      const season = cache.get(number);
      const list = (season.episodes || []).filter((e) => e && Number.isInteger(e.episode_number));
      if (number === resume?.episode?.season_number) {
        onResumeSeason(list.find((e) => e.episode_number === resume.episode.episode_number));
      }
      clear(episodes).append(...(list.length
        ? list.map((episode) => episodeRow(series, number, episode, resume))
        : [h("li", { class: "empty" }, "No episodes in this season yet.")]));
      if (!initial) announce.textContent = `${picker.selectedOptions[0]?.textContent || `Season ${number}`}: ${list.length} episode${list.length === 1 ? "" : "s"}`;
    } catch (error) {
      if (mine !== seq) return;
      cache.delete(number);
      clear(episodes).append(h("li", {}, errorPanel(error, () => load(number))));
    } finally {
      if (mine === seq) episodes.removeAttribute("aria-busy");
    }
  };
  picker.addEventListener("change", () => {
    const number = Number(picker.value);
    const url = new URL(location.href);
    url.searchParams.set("season", String(number));
    history.replaceState(history.state, "", url.pathname + url.search);
    load(number);
  });
  load(first, { initial: true });

  return h("section", { class: "seasons", "aria-labelledby": "episodes-title" },
    h("div", { class: "seasons-head" },
      h("h2", { id: "episodes-title" }, "Episodes"),
      h("div", { class: "season-field" },
        h("label", { for: "season-picker", id: "season-picker-label" }, "Season"),
        picker,
      ),
    ),
    announce,
    episodes,
  );
}

function episodeRow(series, seasonNumber, episode, resume) {
  const n = episode.episode_number;
  const name = episode.name || `Episode ${n}`;
  const href = `/watch/series/${series.id}?season=${seasonNumber}&episode=${n}`;
  const isResume = Boolean(resume?.episode
    && resume.episode.season_number === seasonNumber
    && resume.episode.episode_number === n);
  const started = isResume && resume.started;

  const fallback = () => h("span", { class: "episode-still-fallback" }, String(n));
  let still = fallback();
  if (episode.still_url) {
    still = h("img", { src: episode.still_url, alt: "", loading: "lazy", decoding: "async", width: 300, height: 169 });
    const img = still;
    img.addEventListener("error", () => img.replaceWith(fallback()), { once: true });
  }
  const meta = [runtimeText(episode.runtime), dateText(episode.air_date)].filter(Boolean).join(" · ");

  return h("li", { class: `episode${isResume ? " current" : ""}`, "aria-current": isResume ? "true" : null, dataset: { episode: String(n) } },
    h("div", { class: "episode-media" },
      // The still plays the episode for a mouse or a finger; the keyboard has the Play link.
      h("a", { class: "episode-still", href, tabindex: "-1", "aria-hidden": "true" },
        still, h("span", { class: "episode-still-play" }, "▶")),
      started ? progressBar(resume.progress, "episode-progress") : null,
    ),
    h("div", { class: "episode-head" },
      h("h3", {}, `${n}. ${name}`),
      meta ? h("p", { class: "episode-meta" }, meta) : null,
      isResume ? h("p", { class: "episode-flag" }, started ? `Continue watching · ${percentOf(resume.progress)}% watched` : "Up next") : null,
      h("a", { class: `button ${isResume ? "primary" : "secondary"} small episode-play`, href },
        started ? "▶ Resume" : "▶ Play",
        h("span", { class: "visually-hidden" }, ` episode ${n}: ${name}`)),
    ),
    episode.overview ? h("p", { class: "episode-overview" }, episode.overview) : null,
  );
}
