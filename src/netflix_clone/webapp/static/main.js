// Boot and client-side routing: one shell (header + main), views rendered into main.
import * as api from "./api.js";
import { clear, h, toast } from "./dom.js";
import { header, syncHeader } from "./views/shell.js";
import { signInView, signUpView } from "./views/auth.js";
import { manageView, pickerView } from "./views/profiles.js";
import { homeView } from "./views/home.js";
import { detailsView } from "./views/details.js";
import { searchView } from "./views/search.js";
import { playerView } from "./views/player.js";
import { activityView, kindView, latestView, myListView } from "./views/pages.js";

const ROUTES = [
  { path: /^\/signin$/, view: signInView, needs: "guest" },
  { path: /^\/signup$/, view: signUpView, needs: "guest" },
  { path: /^\/profiles$/, view: pickerView, needs: "account" },
  { path: /^\/profiles\/manage$/, view: manageView, needs: "account" },
  { path: /^\/browse$/, view: homeView, needs: "profile" },
  { path: /^\/series$/, view: kindView("series"), needs: "profile" },
  { path: /^\/movies$/, view: kindView("movie"), needs: "profile" },
  { path: /^\/latest$/, view: latestView, needs: "profile" },
  { path: /^\/my-list$/, view: myListView, needs: "profile" },
  { path: /^\/activity$/, view: activityView, needs: "profile" },
  { path: /^\/search$/, view: searchView, needs: "profile" },
  { path: /^\/title\/(movie|series)\/(\d{1,10})$/, view: detailsView, needs: "profile" },
  { path: /^\/watch\/(movie|series)\/(\d{1,10})$/, view: playerView, needs: "profile" },
];

let leave = null;
let shellKind = null;
let renderSeq = 0;

export function navigate(to, { replace = false, keepFocus = false } = {}) {
  if (to === location.pathname + location.search) {
    if (!replace) return render({ keepFocus });
  }
  history[replace ? "replaceState" : "pushState"]({}, "", to);
  return render({ keepFocus });
}

function target() {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  if (path === "/") {
    if (!api.signedIn()) return { redirect: "/signin" };
    return { redirect: api.currentProfile() ? "/browse" : "/profiles" };
  }
  for (const route of ROUTES) {
    const match = route.path.exec(path);
    if (!match) continue;
    if (route.needs === "guest" && api.signedIn()) return { redirect: "/profiles" };
    if (route.needs !== "guest" && !api.signedIn()) {
      return { redirect: `/signin?next=${encodeURIComponent(location.pathname + location.search)}` };
    }
    if (route.needs === "profile" && !api.currentProfile()) {
      return { redirect: `/profiles?next=${encodeURIComponent(location.pathname + location.search)}` };
    }
    return { route, params: match.slice(1) };
  }
  return { route: { view: notFoundView, needs: api.signedIn() ? "account" : "guest" }, params: [] };
}

function notFoundView(main) {
  document.title = "Page not found · netflix-clone";
  main.append(
    h("section", { class: "message-page" },
      h("h1", { tabindex: "-1" }, "Page not found"),
      h("p", {}, "There is nothing at this address."),
      h("a", { class: "button primary", href: "/" }, "Go to the home page"),
    ),
  );
}

async function render({ keepFocus = false } = {}) {
  const seq = ++renderSeq;
  lastWho = who();
  const found = target();
  if (found.redirect) {
    history.replaceState({}, "", found.redirect);
    return render({ keepFocus });
  }
  if (leave) {
    const done = leave;
    leave = null;
    try {
      done();
    } catch (error) {
      console.warn(error);
    }
  }
  const app = document.getElementById("app");
  const kind = found.route.needs === "profile" ? "profile" : "plain";
  if (kind !== shellKind || kind === "plain") {
    clear(app);
    shellKind = kind;
    if (kind === "profile") app.append(header(navigate));
    app.append(h("main", { id: "main", tabindex: "-1" }));
  }
  syncHeader();
  const main = document.getElementById("main");
  clear(main);
  main.removeAttribute("class"); // each screen sets its own (the element outlives screens)
  app.removeAttribute("aria-busy");
  const params = new URLSearchParams(location.search);
  const cleanup = await found.route.view(main, found.params, { navigate, params, isCurrent: () => seq === renderSeq });
  if (seq !== renderSeq) {
    if (typeof cleanup === "function") cleanup();
    return;
  }
  leave = typeof cleanup === "function" ? cleanup : null;
  // Focus moves to the new screen's heading, unless the member has moved it elsewhere (the
  // header's menu or search box) while the screen was loading.
  const active = document.activeElement;
  const untouched = !active || active === document.body || main.contains(active);
  if (!keepFocus && untouched) {
    const heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
}

// Same-origin links are client routes; our own roots (/api, /docs, ...) are real pages.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const link = event.target.closest("a[href]");
  if (!link || link.target || link.hasAttribute("download")) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  if (/^\/(api|tmdb|docs|openapi\.json|healthz|readyz|metrics|webapp|images)(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
});

window.addEventListener("popstate", () => render());

api.on("signedOut", () => {
  shellKind = null;
  toast("Your session has ended. Sign in again.", "error");
  navigate(`/signin?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
});

api.on("profileNeeded", (error, profile) => {
  shellKind = null;
  const why = profile && profile.locked ? "Enter the PIN again to continue." : error.message;
  toast(why, "error");
  const next = encodeURIComponent(location.pathname + location.search);
  navigate(`/profiles?next=${next}${profile ? `&unlock=${profile.id}` : ""}`, { replace: true });
});

api.on("retrying", (seconds) => {
  toast(`The service is busy. Trying again in ${seconds} s…`, "info");
});

// Another tab signed out, signed in or switched profile: follow it (token refreshes there
// change nothing here).
const who = () => `${api.signedIn()}:${api.currentProfile()?.id ?? ""}`;
let lastWho = who();
window.addEventListener("storage", (event) => {
  if (event.key !== "nc.session" && event.key !== null) return;
  const now = who();
  if (now === lastWho) return;
  lastWho = now;
  shellKind = null;
  render();
});

render();
