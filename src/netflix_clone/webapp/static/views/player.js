// The player. There is no video: a timeline plays in real time over the title's dimmed backdrop,
// on a full-viewport stage with controls overlaid (hidden after a few idle seconds while playing),
// keyboard shortcuts, full screen, a resume prompt and, for series, an "Up next" countdown.
//
// Heartbeats go out every 10 s while playing, on pause, after a seek and on leaving, each with
// a larger sequence number than the last, so the server keeps the newest position.
import * as api from "../api.js";
import { append, clear, formatTime, h, spokenTime } from "../dom.js";
import { blockedPage, errorPanel, loading, notFoundPage, runtimeText } from "./shell.js";
import { memberState } from "./details.js";

const TICK_MS = 1000;
const HEARTBEAT_MS = 10_000;
const FINISHED = 0.9;
const DEFAULT_MOVIE_SECONDS = 2 * 3600;
const DEFAULT_EPISODE_SECONDS = 45 * 60;
const SKIP_SECONDS = 10;
const IDLE_MS = 3000; // controls hide after this long without pointer or keyboard activity
const UP_NEXT_SECONDS = 30; // the Up next card shows this close to an episode's end
const COUNTDOWN_SECONDS = 10; // ... and plays the next episode after this many seconds

let lastSequence = 0;
function nextSequence() {
  lastSequence = Math.max(lastSequence + 1, Date.now());
  return lastSequence;
}

// Kept across episodes: muting, and the episode that should start by itself (Up next, or one
// picked from the episode list).
let muted = false;
let autoplay = null;
const playKey = (kind, id, episode) =>
  `${kind}:${id}:${episode ? `${episode.season_number}:${episode.episode_number}` : ""}`;

// ---------------------------------------------------------------- icons (static SVG, no markup)

const SVG = "http://www.w3.org/2000/svg";
const REPLAY = "M12 5V1L7 6l5 5V7c3.31 0 6 2.69 6 6s-2.69 6-6 6-6-2.69-6-6H4c0 4.42 3.58 8 8 8s8-3.58 8-8-3.58-8-8-8z";
const ICONS = {
  play: ["M8 5v14l11-7z"],
  pause: ["M6 5h4v14H6zm8 0h4v14h-4z"],
  volume: ["M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 7.97v8.05A4.5 4.5 0 0 0 16.5 12zM14 3.23v2.06a7 7 0 0 1 0 13.42v2.06A9 9 0 0 0 14 3.23z"],
  muted: ["M16.5 12A4.5 4.5 0 0 0 14 7.97v2.21l2.45 2.45c.03-.2.05-.41.05-.63zm2.5 0c0 .94-.2 1.82-.54 2.64l1.51 1.51A8.8 8.8 0 0 0 21 12a9 9 0 0 0-7-8.77v2.06A7 7 0 0 1 19 12zM4.27 3 3 4.27 7.73 9H3v6h4l5 5v-6.73l4.25 4.25c-.67.52-1.42.93-2.25 1.18v2.06a9 9 0 0 0 3.69-1.81L19.73 21 21 19.73l-9-9L4.27 3zM12 4 9.91 6.09 12 8.18V4z"],
  fullscreen: ["M7 14H5v5h5v-2H7v-3zm-2-4h2V7h3V5H5v5zm12 7h-3v2h5v-5h-2v3zM14 5v2h3v3h2V5h-5z"],
  exitFullscreen: ["M5 16h3v3h2v-5H5v2zm3-8H5v2h5V5H8v3zm6 11h2v-3h3v-2h-5v5zm2-11V5h-2v5h5V8h-3z"],
  next: ["M6 18l8.5-6L6 6v12zM16 6v12h2V6h-2z"],
  episodes: ["M3 5h13v2H3zm0 6h13v2H3zm0 6h9v2H3zm15-6 4 3-4 3z"],
  close: ["M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z"],
};

function icon(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "player-svg");
  const group = document.createElementNS(SVG, "g");
  svg.append(group);
  const paths = name === "back10" || name === "forward10" ? [REPLAY] : ICONS[name];
  for (const d of paths) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "currentColor");
    group.append(path);
  }
  if (name === "forward10") group.setAttribute("transform", "translate(24 0) scale(-1 1)");
  if (name === "back10" || name === "forward10") {
    const text = document.createElementNS(SVG, "text");
    text.setAttribute("x", "12");
    text.setAttribute("y", "16.6");
    text.setAttribute("text-anchor", "middle");
    text.setAttribute("font-size", "7.5");
    text.setAttribute("font-weight", "700");
    text.setAttribute("fill", "currentColor");
    text.textContent = "10";
    svg.append(text);
  }
  return svg;
}

function iconButton(name, label, attrs = {}) {
  return h("button", { type: "button", class: "player-icon", "aria-label": label, title: label, ...attrs }, icon(name));
}

function setIcon(button, name) {
  button.replaceChildren(icon(name));
}

// ---------------------------------------------------------------- the view

export async function playerView(main, [kind, rawId], ctx) {
  const id = Number(rawId);
  main.classList.add("player-main");
  const unmark = () => main.classList.remove("player-main");
  main.append(
    h("div", { class: "player-loading", "aria-hidden": "true" }, h("div", { class: "player-spinner" })),
    loading("Loading the player…"),
  );
  let title;
  let state;
  let episode = null;
  let seasonEpisodes = [];
  try {
    [title, state] = await Promise.all([api.details(kind, id), memberState(kind, id)]);
    if (kind === "series") ({ episode, episodes: seasonEpisodes } = await pickEpisode(title, state, ctx.params));
  } catch (error) {
    if (!ctx.isCurrent()) return unmark;
    clear(main);
    if (error.code === "maturity-restricted") blockedPage(main);
    else if (error.status === 404) notFoundPage(main);
    else main.append(h("h1", {}, "The player could not start"), errorPanel(error, () => ctx.navigate(location.pathname + location.search, { replace: true })));
    return unmark;
  }
  if (!ctx.isCurrent()) return unmark;
  clear(main);

  const saved = state.watch;
  const sameEpisode = !episode || (saved?.episode
    && saved.episode.season_number === episode.season_number
    && saved.episode.episode_number === episode.episode_number);
  let duration;
  if (saved && sameEpisode && saved.duration_seconds) duration = saved.duration_seconds;
  else if (episode) duration = (episode.runtime || title.episode_runtime || 0) * 60 || DEFAULT_EPISODE_SECONDS;
  else duration = (title.runtime || 0) * 60 || DEFAULT_MOVIE_SECONDS;
  let position = saved && sameEpisode && saved.status === "in_progress" ? Math.min(saved.position_seconds, duration) : 0;

  const episodeLabel = episode
    ? `S${episode.season_number}:E${episode.episode_number}${episode.name ? ` · ${episode.name}` : ""}`
    : "";
  const label = episode ? `${title.title} · ${episodeLabel}` : title.title;
  document.title = `Watching ${label} · netflix-clone`;
  const titlePage = `/title/${kind}/${id}`;
  const autoStart = autoplay === playKey(kind, id, episode);
  autoplay = null;

  let playing = false;
  let playedFrom = 0;
  let startedAt = 0;
  let ticker = null;
  let heartbeat = null;
  let seekTimer = null;
  let idleTimer = null;
  let lastSent = -1;
  let hovering = false;
  let next = null; // the episode after this one, once known
  let upNextShown = false;
  let upNextDismissed = false;
  let countdown = COUNTDOWN_SECONDS;
  let countdownTimer = null;
  let fullscreenLeftAt = -Infinity;

  // --- the pieces --------------------------------------------------------------------------
  const section = h("section", { class: "player is-paused", id: "player", "aria-labelledby": "player-title" });
  const elapsed = h("span", { class: "player-elapsed", "aria-hidden": "true" });
  const remaining = h("span", { class: "player-remaining", "aria-hidden": "true" });
  const timeline = h("input", {
    type: "range",
    class: "player-timeline",
    min: "0",
    max: String(duration),
    step: "1",
    value: String(Math.floor(position)),
    "aria-label": "Timeline",
  });
  const playButton = iconButton("play", "Play", { class: "player-icon player-play", title: "Play (k)" });
  const backButton = iconButton("back10", "Back 10 seconds", { title: "Back 10 seconds (←)" });
  const forwardButton = iconButton("forward10", "Forward 10 seconds", { title: "Forward 10 seconds (→)" });
  const muteButton = iconButton(muted ? "muted" : "volume", "Mute", { title: "Mute (m)", "aria-pressed": String(muted) });
  const fullscreenButton = iconButton("fullscreen", "Full screen", {
    title: "Full screen (f)",
    "aria-pressed": "false",
    hidden: !document.fullscreenEnabled,
  });
  const nextButton = iconButton("next", "Next episode", { hidden: true });
  const episodesButton = episode && seasonEpisodes.length > 1
    ? iconButton("episodes", "Episodes", { "aria-expanded": "false", "aria-controls": "player-episodes" })
    : null;
  const note = h("p", { class: "player-note", role: "status" });
  const announce = h("p", { class: "visually-hidden", "aria-live": "polite" });

  const backdrop = title.backdrop_url_large || title.backdrop_url;
  const backdropImage = backdrop ? h("img", { src: backdrop, alt: "", width: 1280, height: 720, decoding: "async" }) : null;
  backdropImage?.addEventListener("error", () => backdropImage.remove(), { once: true });

  const show = () => {
    timeline.value = String(Math.floor(position));
    timeline.setAttribute("aria-valuetext", `${spokenTime(position)} of ${spokenTime(duration)}`);
    elapsed.textContent = formatTime(position);
    remaining.textContent = `−${formatTime(duration - position)}`;
    timeline.style.setProperty("--played", `${(position / duration) * 100}%`);
    section.classList.toggle("is-ended", position >= duration);
    syncUpNext();
  };

  // Answers can arrive out of order: only the newest report's answer may set the status.
  let newestShown = -1;
  const report = async (keepalive = false) => {
    const at = Math.floor(position);
    const payload = { position_seconds: at, duration_seconds: duration, sequence: nextSequence() };
    if (episode) Object.assign(payload, { season_number: episode.season_number, episode_number: episode.episode_number });
    lastSent = at;
    try {
      const answer = await api.reportProgress(kind, id, payload, keepalive);
      if (!ctx.isCurrent() && !keepalive) return;
      if (payload.sequence < newestShown) return;
      newestShown = payload.sequence;
      const moved = episode && answer.episode_number
        && (answer.season_number !== episode.season_number || answer.episode_number !== episode.episode_number);
      if (moved && !keepalive) {
        // Past 90 % of an episode the server's resume point is the next one.
        clear(note).append("Episode finished.");
        if (!next) {
          note.append(" ", h("a", {
            href: `/watch/series/${id}?season=${answer.season_number}&episode=${answer.episode_number}`,
          }, `Play S${answer.season_number}:E${answer.episode_number}`));
        }
      } else if (answer.finished) note.textContent = "Finished. Marked as watched.";
      else if (answer.stored) note.textContent = `Progress saved at ${formatTime(answer.position_seconds ?? at)}.`;
      else if (at / duration >= FINISHED) note.textContent = "Finished.";
      else note.textContent = "";
    } catch (error) {
      if (payload.sequence < newestShown) return;
      note.textContent = `Progress not saved: ${error.detail || error.message}`;
    }
  };

  const current = () => Math.min(duration, playedFrom + (Date.now() - startedAt) / 1000);

  const showPlaying = () => {
    playButton.setAttribute("aria-label", playing ? "Pause" : "Play");
    playButton.title = playing ? "Pause (k)" : "Play (k)";
    setIcon(playButton, playing ? "pause" : "play");
    section.classList.toggle("is-paused", !playing);
    section.classList.toggle("is-playing", playing);
  };

  const pause = (send = true) => {
    if (!playing) return;
    position = current();
    playing = false;
    clearInterval(ticker);
    clearInterval(heartbeat);
    showPlaying();
    show();
    if (position < duration) stopCountdown();
    wake();
    if (send) report();
  };

  const play = () => {
    if (playing) return;
    closeResume();
    if (position >= duration) position = 0;
    playing = true;
    playedFrom = position;
    startedAt = Date.now();
    showPlaying();
    show();
    if (upNextShown) startCountdown();
    ticker = setInterval(() => {
      position = current();
      show();
      if (position >= duration) pause();
    }, TICK_MS);
    heartbeat = setInterval(() => {
      position = current();
      report();
    }, HEARTBEAT_MS);
    wake();
  };

  const toggle = () => (playing ? pause() : play());

  const seekTo = (seconds) => {
    closeResume();
    position = Math.max(0, Math.min(duration, seconds));
    if (playing) {
      playedFrom = position;
      startedAt = Date.now();
    }
    show();
    clearTimeout(seekTimer);
    seekTimer = setTimeout(() => report(), 500);
  };
  const seekBy = (delta) => seekTo((playing ? current() : position) + delta);

  // --- controls that hide while playing --------------------------------------------------
  const held = () => !playing || hovering || resumeBox?.isConnected || (panel && !panel.hidden)
    || Boolean(section.querySelector(".player-chrome :is(a, button, input):focus-visible"));
  const hideIfIdle = () => {
    if (!playing) return; // playing again wakes the timer
    if (held()) idleTimer = setTimeout(hideIfIdle, IDLE_MS);
    else section.classList.add("is-idle");
  };
  function wake() {
    section.classList.remove("is-idle");
    clearTimeout(idleTimer);
    idleTimer = setTimeout(hideIfIdle, IDLE_MS);
  }

  // --- resume prompt ---------------------------------------------------------------------
  let resumeBox = null;
  function closeResume() {
    if (!resumeBox?.isConnected) return;
    const hadFocus = resumeBox.contains(document.activeElement);
    resumeBox.remove();
    if (hadFocus) playButton.focus();
  }
  if (position > 0 && !autoStart) {
    const at = formatTime(position);
    resumeBox = h("div", { class: "player-resume", role: "group", "aria-labelledby": "player-resume-title" },
      h("p", { class: "player-resume-title", id: "player-resume-title" }, `You stopped at ${at}`),
      h("div", { class: "player-resume-actions" },
        h("button", { type: "button", class: "button primary", onClick: () => play() },
          icon("play"), `Resume from ${at}`),
        h("button", { type: "button", class: "button outline", onClick: () => {
          seekTo(0);
          play();
        } }, "Start from the beginning"),
      ),
    );
  }

  // --- up next (series) ------------------------------------------------------------------
  const upNextCount = h("p", { class: "player-upnext-count" });
  const upNextPlay = h("button", { type: "button", class: "button primary", onClick: () => goNext() }, icon("play"), "Play now");
  const upNextCancel = h("button", { type: "button", class: "button outline", onClick: () => cancelUpNext() }, "Cancel");
  const upNextBody = h("div", { class: "player-upnext-body" });
  const upNext = h("section", { class: "player-upnext", "aria-label": "Up next", hidden: true },
    upNextBody,
    h("div", { class: "player-upnext-text" },
      h("h2", { class: "player-upnext-kicker" }, "Up next"),
      h("p", { class: "player-upnext-name" }),
      upNextCount,
      h("div", { class: "player-upnext-actions" }, upNextPlay, upNextCancel),
    ),
  );
  const nextUrl = () => `/watch/series/${id}?season=${next.season_number}&episode=${next.episode_number}`;
  function goNext() {
    if (!next) return;
    stopCountdown();
    autoplay = playKey(kind, id, next);
    ctx.navigate(nextUrl());
  }
  function stopCountdown() {
    clearInterval(countdownTimer);
    countdownTimer = null;
  }
  function startCountdown() {
    if (countdownTimer) return;
    countdownTimer = setInterval(() => {
      countdown -= 1;
      upNextCount.textContent = `Next episode in ${Math.max(countdown, 0)}`;
      if (countdown <= 0) goNext();
    }, 1000);
  }
  function hideUpNext() {
    stopCountdown();
    if (!upNextShown) return;
    upNextShown = false;
    if (upNext.contains(document.activeElement)) playButton.focus();
    upNext.hidden = true;
  }
  function cancelUpNext() {
    upNextDismissed = true;
    hideUpNext();
    announce.textContent = "Next episode cancelled.";
  }
  function syncUpNext() {
    if (!next) return;
    if (duration - position > UP_NEXT_SECONDS) {
      upNextDismissed = false;
      hideUpNext();
      return;
    }
    if (upNextShown || upNextDismissed) return;
    upNextShown = true;
    countdown = COUNTDOWN_SECONDS;
    upNextCount.textContent = `Next episode in ${countdown}`;
    upNext.hidden = false;
    announce.textContent = `Up next: ${nextLabel(next)}. It starts in ${countdown} seconds.`;
    if (playing || position >= duration) startCountdown();
  }
  const setNext = (found) => {
    next = found;
    if (!next) return;
    clear(upNextBody).append(next.still_url
      ? h("img", { class: "player-upnext-still", src: next.still_url, alt: "", width: 300, height: 169, decoding: "async" })
      : h("span", { class: "player-upnext-still player-upnext-fallback", "aria-hidden": "true" }, `E${next.episode_number}`));
    upNext.querySelector(".player-upnext-name").textContent = nextLabel(next);
    nextButton.hidden = false;
    nextButton.title = `Next episode: ${nextLabel(next)}`;
    show();
  };
  nextButton.addEventListener("click", () => goNext());

  // --- episode list (series) ---------------------------------------------------------------
  let panel = null;
  const closePanel = (refocus = true) => {
    if (!panel || panel.hidden) return;
    const hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    episodesButton.setAttribute("aria-expanded", "false");
    if (refocus || hadFocus) episodesButton.focus();
  };
  if (episodesButton) {
    const seasonName = `Season ${episode.season_number}`;
    panel = h("section", { class: "player-episodes", id: "player-episodes", "aria-labelledby": "player-episodes-title", hidden: true },
      h("div", { class: "player-episodes-head" },
        h("h2", { id: "player-episodes-title" }, seasonName),
        iconButton("close", "Close the episode list", { onClick: () => closePanel() }),
      ),
      h("ol", { class: "player-episodes-list" }, seasonEpisodes.map((e) => {
        const isCurrent = e.episode_number === episode.episode_number;
        return h("li", {},
          h("a", {
            href: `/watch/series/${id}?season=${e.season_number}&episode=${e.episode_number}`,
            "aria-current": isCurrent ? "true" : null,
            onClick: () => {
              autoplay = playKey(kind, id, e);
            },
          },
            h("span", { class: "player-episodes-number" }, `E${e.episode_number}`),
            h("span", { class: "player-episodes-name" }, e.name || `Episode ${e.episode_number}`),
            e.runtime ? h("span", { class: "player-episodes-runtime" }, runtimeText(e.runtime)) : null,
          ));
      })),
    );
    episodesButton.addEventListener("click", () => {
      if (!panel.hidden) return closePanel();
      panel.hidden = false;
      episodesButton.setAttribute("aria-expanded", "true");
      (panel.querySelector("a[aria-current]") || panel.querySelector("a"))?.focus();
      return undefined;
    });
  }

  // --- mute and full screen ------------------------------------------------------------------
  const toggleMute = () => {
    muted = !muted;
    muteButton.setAttribute("aria-pressed", String(muted));
    setIcon(muteButton, muted ? "muted" : "volume");
    announce.textContent = muted ? "Muted" : "Sound on";
  };
  // The whole document goes full screen (the player fills it): the next episode, a new route,
  // stays full screen; leaving the player leaves full screen.
  const toggleFullscreen = () => {
    if (document.fullscreenElement) {
      document.exitFullscreen().catch(() => {});
    } else if (document.fullscreenEnabled) {
      document.documentElement.requestFullscreen({ navigationUI: "hide" }).catch(() => {
        note.textContent = "Full screen is not available here.";
      });
    }
  };
  const syncFullscreen = () => {
    const on = Boolean(document.fullscreenElement);
    if (!on) fullscreenLeftAt = Date.now();
    fullscreenButton.setAttribute("aria-pressed", String(on));
    fullscreenButton.title = on ? "Exit full screen (f)" : "Full screen (f)";
    setIcon(fullscreenButton, on ? "exitFullscreen" : "fullscreen");
  };
  syncFullscreen();
  fullscreenLeftAt = -Infinity;

  playButton.addEventListener("click", toggle);
  backButton.addEventListener("click", () => seekBy(-SKIP_SECONDS));
  forwardButton.addEventListener("click", () => seekBy(SKIP_SECONDS));
  muteButton.addEventListener("click", toggleMute);
  fullscreenButton.addEventListener("click", toggleFullscreen);
  timeline.addEventListener("input", () => seekTo(Number(timeline.value)));

  // --- keyboard ------------------------------------------------------------------------------
  const onKey = (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest("input, select, textarea, [contenteditable]") && target !== timeline) return;
    if (target?.closest("dialog")) return;
    wake();
    const onControl = Boolean(target?.closest("button, a[href], summary"));
    switch (event.key) {
      case " ":
        if (onControl) return; // Space activates the focused button or link
        event.preventDefault();
        toggle();
        break;
      case "k":
      case "K":
        event.preventDefault();
        toggle();
        break;
      case "ArrowLeft":
      case "ArrowRight":
        // Also on the timeline: its own one-second arrow steps are replaced, not added to.
        event.preventDefault();
        seekBy(event.key === "ArrowLeft" ? -SKIP_SECONDS : SKIP_SECONDS);
        break;
      case "f":
      case "F":
        event.preventDefault();
        toggleFullscreen();
        break;
      case "m":
      case "M":
        event.preventDefault();
        toggleMute();
        break;
      case "Escape":
        event.preventDefault();
        if (panel && !panel.hidden) closePanel();
        else if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
        // A browser may leave full screen on Escape itself and still deliver the key.
        else if (Date.now() - fullscreenLeftAt > 500) ctx.navigate(titlePage);
        break;
      default:
    }
  };
  document.addEventListener("keydown", onKey);
  document.addEventListener("fullscreenchange", syncFullscreen);
  const onHide = () => {
    if (playing) position = current();
    if (Math.floor(position) !== lastSent) report(true);
  };
  window.addEventListener("pagehide", onHide);

  // --- pointer activity ------------------------------------------------------------------------
  let pointerType = "mouse";
  section.addEventListener("pointermove", (event) => {
    if (event.pointerType === "mouse") wake();
  });
  section.addEventListener("pointerdown", (event) => {
    pointerType = event.pointerType;
  });
  section.addEventListener("focusin", () => wake());
  const surface = h("div", { class: "player-surface", "aria-hidden": "true" });
  surface.addEventListener("click", () => {
    if (panel && !panel.hidden) return closePanel(false);
    if (pointerType === "mouse") {
      toggle();
      return undefined;
    }
    // A tap shows the controls, or hides them while playing.
    if (section.classList.contains("is-idle") || !playing) wake();
    else {
      clearTimeout(idleTimer);
      section.classList.add("is-idle");
    }
    return undefined;
  });
  surface.addEventListener("dblclick", () => {
    if (pointerType === "mouse") toggleFullscreen();
  });

  const bar = h("div", { class: "player-bar player-chrome" },
    h("div", { class: "player-seek" }, elapsed, timeline, remaining),
    h("div", { class: "player-buttons" },
      h("div", { class: "player-group" }, playButton, backButton, forwardButton, muteButton),
      h("p", { class: "player-now", "aria-hidden": "true" }, episode ? episodeLabel : title.title),
      h("div", { class: "player-group" }, episodesButton, nextButton, fullscreenButton),
    ),
    note,
  );
  bar.addEventListener("pointerenter", (event) => {
    hovering = event.pointerType === "mouse";
  });
  bar.addEventListener("pointerleave", () => {
    hovering = false;
  });

  show();
  showPlaying();
  append(section, [
    h("div", { class: "player-backdrop", "aria-hidden": "true" }, backdropImage),
    surface,
    h("div", { class: "player-head player-chrome" },
      h("a", { class: "player-back", href: titlePage, title: "Back (Esc)" },
        "← Back", h("span", { class: "visually-hidden" }, ` to ${title.title}`)),
      h("h1", { id: "player-title", class: "player-title", "aria-label": episode ? label : null },
        h("span", { class: "player-show" }, title.title),
        episode ? h("span", { class: "player-episode" }, episodeLabel) : null,
      ),
    ),
    resumeBox,
    upNext,
    panel,
    bar,
    announce,
  ]);
  main.append(section);
  wake();

  if (episode) {
    findNext(title, episode, seasonEpisodes).then((found) => {
      if (ctx.isCurrent()) setNext(found);
    }, () => {});
  }
  if (autoStart) play();

  // Leaving the player (another route) sends the last position.
  return () => {
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("fullscreenchange", syncFullscreen);
    window.removeEventListener("pagehide", onHide);
    clearTimeout(seekTimer);
    stopCountdown();
    unmark();
    if (document.fullscreenElement && !location.pathname.startsWith("/watch/")) {
      document.exitFullscreen().catch(() => {});
    }
    const was = playing;
    pause(false);
    clearTimeout(idleTimer);
    if (was || Math.floor(position) !== lastSent) report(true);
  };
}

function nextLabel(episode) {
  return `S${episode.season_number}:E${episode.episode_number}${episode.name ? ` · ${episode.name}` : ""}`;
}

async function pickEpisode(series, state, params) {
  const seasons = (series.seasons || []).filter((s) => s.season_number > 0);
  let seasonNumber = Number(params.get("season")) || 0;
  let episodeNumber = Number(params.get("episode")) || 0;
  if (!seasonNumber && state.watch?.episode) {
    seasonNumber = state.watch.episode.season_number;
    episodeNumber = state.watch.episode.episode_number;
  }
  if (!seasonNumber) seasonNumber = seasons[0]?.season_number || 1;
  if (!episodeNumber) episodeNumber = 1;
  const season = await api.season(series.id, seasonNumber);
  const episodes = [...(season.episodes || [])].sort((a, b) => a.episode_number - b.episode_number);
  const found = episodes.find((e) => e.episode_number === episodeNumber) || episodes[0];
  if (!found) throw new api.ApiError(404, { title: "Not Found", detail: "This season has no episodes." });
  return { episode: found, episodes };
}

// The episode after this one: the next in its season, else the first of the next season; none
// after the last episode that has aired.
async function findNext(series, episode, episodes) {
  let found = episodes.find((e) => e.episode_number > episode.episode_number) || null;
  if (!found) {
    const following = (series.seasons || [])
      .filter((s) => s.season_number > episode.season_number && (s.episode_count ?? 1) > 0)
      .sort((a, b) => a.season_number - b.season_number)[0];
    if (following) {
      const season = await api.season(series.id, following.season_number);
      found = [...(season.episodes || [])].sort((a, b) => a.episode_number - b.episode_number)[0] || null;
    }
  }
  const last = series.last_episode_to_air;
  if (found && last && (found.season_number > last.season_number
    || (found.season_number === last.season_number && found.episode_number > last.episode_number))) {
    return null; // announced, not aired yet
  }
  return found;
}
