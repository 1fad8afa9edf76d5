// The header of every profile screen, and the pieces several screens share.
import * as api from "../api.js";
import { debounce, h, toast } from "../dom.js";

export const AVATARS = {
  default: "Red",
  blue: "Blue",
  green: "Green",
  yellow: "Yellow",
  purple: "Purple",
  teal: "Teal",
  orange: "Orange",
  kids: "Rainbow",
};

export const LEVELS = {
  little_kids: "Little kids (up to age 6)",
  older_kids: "Older kids (up to 12)",
  teens: "Teens (up to 16)",
  adults: "All maturity ratings",
};

// Each avatar is a picture (webapp/avatars/<key>.svg): a face on the avatar's colour.
export function avatarUrl(key) {
  return `/webapp/avatars/${Object.hasOwn(AVATARS, key) ? key : "default"}.svg`;
}

export function avatar(profile, size = "") {
  const key = Object.hasOwn(AVATARS, profile.avatar) ? profile.avatar : "default";
  return h("img", { class: `avatar ${size}`, src: avatarUrl(key), alt: "", width: 128, height: 128 });
}

let searchInput = null;
let menuButton = null;

export const NAV = [
  ["/browse", "Home"],
  ["/series", "Series"],
  ["/movies", "Movies"],
  ["/latest", "New & Popular"],
  ["/my-list", "My List"],
];

export function header(navigate) {
  const profile = api.currentProfile() || { name: "?" };
  const search = debounce((value) => {
    const q = value.trim();
    const to = q ? `/search?q=${encodeURIComponent(q)}` : "/search";
    navigate(to, { replace: location.pathname === "/search", keepFocus: true });
  }, 300);
  searchInput = h("input", {
    type: "search",
    id: "search-input",
    name: "q",
    placeholder: "Search movies and series",
    autocomplete: "off",
    "aria-label": "Search titles",
    onInput: (event) => search(event.target.value),
    onKeydown: (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        search.cancel();
        const q = event.target.value.trim();
        navigate(q ? `/search?q=${encodeURIComponent(q)}` : "/search", { keepFocus: true });
      }
    },
  });
  const menu = h("ul", { class: "menu", id: "profile-menu", hidden: true },
    h("li", {}, h("a", { href: "/profiles" }, "Switch profile")),
    h("li", {}, h("a", { href: "/profiles/manage" }, "Manage profiles")),
    h("li", {}, h("a", { href: "/activity" }, "Viewing activity")),
    h("li", {}, h("button", { type: "button", onClick: () => signOut(navigate) }, "Sign out")),
  );
  const closeMenu = () => {
    menu.hidden = true;
    menuButton.setAttribute("aria-expanded", "false");
  };
  menuButton = h("button", {
    type: "button",
    class: "profile-button",
    "aria-expanded": "false",
    "aria-controls": "profile-menu",
    "aria-label": `Account menu, profile ${profile.name}`,
    onClick: () => {
      menu.hidden = !menu.hidden;
      menuButton.setAttribute("aria-expanded", String(!menu.hidden));
      if (!menu.hidden) menu.querySelector("a, button").focus();
    },
  }, avatar(profile, "small"), h("span", { class: "profile-name" }, profile.name));
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenu();
      menuButton.focus();
    }
  });
  menu.addEventListener("click", () => closeMenu());
  menu.addEventListener("focusout", (event) => {
    if (!menu.hidden && !menu.contains(event.relatedTarget) && event.relatedTarget !== menuButton) closeMenu();
  });
  return h("header", { class: "site-header" },
    h("a", { class: "logo", href: "/browse" }, "NETFLIX-CLONE"),
    h("nav", { "aria-label": "Main" },
      h("ul", { class: "nav-list" },
        NAV.map(([href, text]) => h("li", {}, h("a", { href, class: "nav-link" }, text))),
      ),
      profile.kids ? h("span", { class: "badge kids-badge" }, "Kids") : null,
    ),
    h("div", { class: "header-tools", role: "search" },
      h("label", { class: "search-box", for: "search-input" },
        h("span", { class: "search-icon", "aria-hidden": "true" }),
        searchInput,
      ),
    ),
    h("div", { class: "profile-menu" }, menuButton, menu),
  );
}

export function syncHeader() {
  if (!searchInput) return;
  if (location.pathname === "/search") {
    const q = new URLSearchParams(location.search).get("q") || "";
    if (document.activeElement !== searchInput) searchInput.value = q;
  } else if (document.activeElement !== searchInput) {
    searchInput.value = "";
  }
  for (const link of document.querySelectorAll(".site-header .nav-link")) {
    if (link.getAttribute("href") === location.pathname) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

export async function signOut(navigate) {
  await api.signOut();
  navigate("/signin", { replace: true });
}

// ---------------------------------------------------------------- cards and rows

export const percentOf = (fraction) => Math.max(0, Math.min(100, Math.round((fraction || 0) * 100)));

// A progress bar, or nothing at all for what hasn't been started.
export function progressBar(fraction, extraClass = "") {
  if (!fraction || fraction <= 0) return null;
  const percent = percentOf(fraction);
  const bar = h("span", {
    class: `progress ${extraClass}`.trim(),
    role: "progressbar",
    "aria-label": `Watched ${percent}%`,
    "aria-valuemin": "0",
    "aria-valuemax": "100",
    "aria-valuenow": String(percent),
  }, h("span", { class: "progress-fill" }));
  bar.firstChild.style.setProperty("width", `${Math.max(0, Math.min(100, fraction * 100))}%`);
  return bar;
}

// A poster card. The artwork carries the title (TMDB's posters, and the demo's placeholders
// alike), so the title is the link's name but isn't printed again under the picture; only a
// missing image shows it. A watched share sits on the poster's bottom edge, so bars line up.
export function cardLink(card, { progress = null, episode = null } = {}) {
  const kind = api.kindOf(card);
  const fallback = () => h("span", { class: "poster-fallback", "aria-hidden": "true" }, card.title);
  const picture = card.poster_url
    ? h("img", { src: card.poster_url, alt: "", loading: "lazy", width: 342, height: 513, decoding: "async" })
    : fallback();
  if (picture.tagName === "IMG") {
    picture.addEventListener("error", () => picture.replaceWith(fallback()), { once: true });
  }
  const bar = progress !== null ? progressBar(progress, "on-poster") : null;
  return h("a", {
    class: "card",
    href: `/title/${kind}/${card.id}`,
    dataset: { kind, id: String(card.id) },
  },
    h("span", { class: "poster" }, picture, bar),
    h("span", { class: "visually-hidden" }, card.title),
    episode ? h("span", { class: "episode-label" }, `S${episode.season_number}:E${episode.episode_number}`,
      episode.name ? h("span", { class: "episode-name" }, ` · ${episode.name}`) : null) : null,
  );
}

// A button that takes `item` (a list element) out once `remove()` has succeeded and says so;
// the focus moves to the neighbour's `focus` element, else to `fallback()`. `after()` runs once
// the item is gone (counts, empty states). On failure the button is usable again and says why.
export function removeButton({ label, text = "✕", className = "card-action remove", title = null, remove, item, done, failed, focus = "a.card", fallback = () => null, after = () => {} }) {
  return h("button", {
    type: "button",
    class: className,
    "aria-label": label,
    title,
    onClick: async (event) => {
      const button = event.currentTarget; // null once the event has been dispatched
      button.disabled = true;
      try {
        await remove();
      } catch (error) {
        button.disabled = false;
        toast(`${failed} ${error.detail || error.message || ""}`.trim(), "error");
        return;
      }
      const next = item.nextElementSibling || item.previousElementSibling;
      item.remove();
      toast(done);
      after();
      (next?.querySelector(focus) || fallback())?.focus();
    },
  }, text);
}

// Problem titles are HTTP's ("Unprocessable Entity", "Forbidden"): say it in words instead.
export function problemHeading(error) {
  if (error.name === "NetworkError" || error.status === 0) return "You seem to be offline";
  if (error.code === "maturity-restricted") return "Not available for this profile";
  const byStatus = {
    400: "That didn't work",
    401: "Please sign in again",
    403: "That isn't allowed",
    404: "We couldn't find that",
    409: "That clashes with something else",
    422: "Some details need fixing",
    429: "Too many tries",
  };
  if (byStatus[error.status]) return byStatus[error.status];
  if (error.status >= 500) return "Something went wrong on our side";
  return "Something went wrong";
}

export function errorPanel(error, retry) {
  return h("div", { class: "error-panel", role: "alert" },
    h("p", { class: "error-title" }, problemHeading(error)),
    h("p", {}, error.detail || error.message || "Try again in a moment."),
    retry ? h("button", { type: "button", class: "button", onClick: retry }, "Try again") : null,
  );
}

export function blockedPage(main) {
  const profile = api.currentProfile() || { name: "this profile", maturity_level: "older_kids" };
  document.title = "Not available · netflix-clone";
  main.append(
    h("section", { class: "message-page blocked" },
      h("div", { class: "blocked-icon", "aria-hidden": "true" }, "!"),
      h("h1", { tabindex: "-1" }, `This title isn't available for ${profile.name}`),
      h("p", {}, `This profile shows titles for: ${LEVELS[profile.maturity_level] || profile.maturity_level}.`),
      h("p", {}, "There is plenty more to watch on the home screen."),
      h("a", { class: "button primary", href: "/browse" }, "Back to Home"),
    ),
  );
}

export function notFoundPage(main, what = "title") {
  document.title = "Not found · netflix-clone";
  main.append(
    h("section", { class: "message-page" },
      h("h1", { tabindex: "-1" }, `We couldn't find that ${what}`),
      h("a", { class: "button primary", href: "/browse" }, "Back to Home"),
    ),
  );
}

export function skeletonRows(count = 3) {
  return h("div", { class: "skeleton-rows", "aria-hidden": "true" },
    Array.from({ length: count }, () =>
      h("div", { class: "skeleton-row" },
        h("div", { class: "skeleton skeleton-heading" }),
        h("div", { class: "skeleton-cards" },
          Array.from({ length: 8 }, () => h("div", { class: "skeleton skeleton-card" })),
        ),
      ),
    ),
  );
}

export function loading(label) {
  return h("p", { class: "visually-hidden", role: "status" }, label);
}

export function runtimeText(minutes) {
  if (!minutes) return null;
  const hours = Math.floor(minutes / 60);
  return hours ? `${hours}h ${minutes % 60}m` : `${minutes}m`;
}
