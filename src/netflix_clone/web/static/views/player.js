// A player without video: a timeline with play, pause and seek that reports progress.
// Heartbeats go out every 10 s while playing, on pause, after a seek and on leaving, each with
// a larger sequence number than the last, so the server keeps the newest position.
import * as api from "../api.js";
import { clear, formatTime, h, spokenTime } from "../dom.js";
import { blockedPage, errorPanel, loading, notFoundPage } from "./shell.js";
import { memberState } from "./details.js";

const TICK_MS = 1000;
const HEARTBEAT_MS = 10_000;
const FINISHED = 0.9;
const DEFAULT_MOVIE_SECONDS = 2 * 3600;
const DEFAULT_EPISODE_SECONDS = 45 * 60;

let lastSequence = 0;
function nextSequence() {
  lastSequence = Math.max(lastSequence + 1, Date.now());
  return lastSequence;
}

export async function playerView(main, [kind, rawId], ctx) {
  const id = Number(rawId);
  main.classList.add("player-main");
  main.append(h("div", { class: "skeleton player-skeleton", "aria-hidden": "true" }), loading("Loading the player…"));
  let title;
  let state;
  let episode = null;
  try {
    [title, state] = await Promise.all([api.details(kind, id), memberState(kind, id)]);
    if (kind === "series") episode = await pickEpisode(title, state, ctx.params);
  } catch (error) {
    if (!ctx.isCurrent()) return undefined;
    clear(main);
    if (error.code === "maturity-restricted") blockedPage(main);
    else if (error.status === 404) notFoundPage(main);
    else main.append(h("h1", {}, "The player could not start"), errorPanel(error, () => ctx.navigate(location.pathname + location.search, { replace: true })));
    return undefined;
  }
  if (!ctx.isCurrent()) return undefined;
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

  const label = episode
    ? `${title.title} · S${episode.season_number}:E${episode.episode_number} ${episode.name || ""}`.trim()
    : title.title;
  document.title = `Watching ${label} · netflix-clone`;

  let playing = false;
  let playedFrom = 0;
  let startedAt = 0;
  let ticker = null;
  let heartbeat = null;
  let seekTimer = null;
  let lastSent = -1;

  const time = h("p", { class: "time", "aria-hidden": "true" });
  const timeline = h("input", {
    type: "range",
    class: "timeline",
    min: "0",
    max: String(duration),
    step: "1",
    value: String(Math.floor(position)),
    "aria-label": "Timeline",
  });
  const playButton = h("button", { type: "button", class: "button primary play-button" }, "Play");
  const status = h("p", { class: "player-status", role: "status" });
  const screen = h("div", { class: "screen" },
    title.backdrop_url_large || title.backdrop_url
      ? h("img", { src: title.backdrop_url_large || title.backdrop_url, alt: "", width: 1280, height: 720 })
      : null,
    h("div", { class: "screen-label", "aria-hidden": "true" }, label),
  );

  const show = () => {
    timeline.value = String(Math.floor(position));
    timeline.setAttribute("aria-valuetext", `${spokenTime(position)} of ${spokenTime(duration)}`);
    time.textContent = `${formatTime(position)} / ${formatTime(duration)}`;
    const percent = (position / duration) * 100;
    timeline.style.setProperty("--played", `${percent}%`);
  };

  const report = async (keepalive = false) => {
    const at = Math.floor(position);
    const payload = { position_seconds: at, duration_seconds: duration, sequence: nextSequence() };
    if (episode) Object.assign(payload, { season_number: episode.season_number, episode_number: episode.episode_number });
    lastSent = at;
    try {
      const answer = await api.reportProgress(kind, id, payload, keepalive);
      if (!ctx.isCurrent() && !keepalive) return;
      const moved = episode && answer.episode_number
        && (answer.season_number !== episode.season_number || answer.episode_number !== episode.episode_number);
      if (moved && !keepalive) {
        // Past 90 % of an episode the server's resume point is the next one.
        clear(status).append("Episode finished. ", h("a", {
          href: `/watch/series/${id}?season=${answer.season_number}&episode=${answer.episode_number}`,
        }, `Play S${answer.season_number}:E${answer.episode_number}`));
      } else if (answer.finished) status.textContent = "Finished. Marked as watched.";
      else if (answer.stored) status.textContent = `Progress saved at ${formatTime(answer.position_seconds ?? at)}.`;
      else if (at / duration >= FINISHED) status.textContent = "Finished.";
      else status.textContent = "";
    } catch (error) {
      status.textContent = `Progress not saved: ${error.detail || error.message}`;
    }
  };

  const current = () => Math.min(duration, playedFrom + (Date.now() - startedAt) / 1000);

  const pause = (send = true) => {
    if (!playing) return;
    position = current();
    playing = false;
    clearInterval(ticker);
    clearInterval(heartbeat);
    playButton.textContent = "Play";
    show();
    if (send) report();
  };

  const play = () => {
    if (playing) return;
    if (position >= duration) position = 0;
    playing = true;
    playedFrom = position;
    startedAt = Date.now();
    playButton.textContent = "Pause";
    ticker = setInterval(() => {
      position = current();
      show();
      if (position >= duration) pause();
    }, TICK_MS);
    heartbeat = setInterval(() => {
      position = current();
      report();
    }, HEARTBEAT_MS);
  };

  const seekTo = (seconds) => {
    position = Math.max(0, Math.min(duration, seconds));
    if (playing) {
      playedFrom = position;
      startedAt = Date.now();
    }
    show();
    clearTimeout(seekTimer);
    seekTimer = setTimeout(() => report(), 500);
  };

  playButton.addEventListener("click", () => (playing ? pause() : play()));
  timeline.addEventListener("input", () => seekTo(Number(timeline.value)));
  const skip = (delta, text) => h("button", { type: "button", class: "button outline", onClick: () => seekTo(position + delta) }, text);

  const onKey = (event) => {
    if (event.target.closest("input, select, textarea, button, a") && event.target !== document.body) return;
    if (event.key === " " || event.key === "k") {
      event.preventDefault();
      if (playing) pause();
      else play();
    }
  };
  document.addEventListener("keydown", onKey);
  const onHide = () => {
    if (playing) position = current();
    if (Math.floor(position) !== lastSent) report(true);
  };
  window.addEventListener("pagehide", onHide);

  show();
  main.append(
    h("section", { class: "player", "aria-labelledby": "player-title" },
      h("div", { class: "player-top" },
        h("a", { class: "button outline", href: `/title/${kind}/${id}` }, "← Back", h("span", { class: "visually-hidden" }, ` to ${title.title}`)),
        h("h1", { id: "player-title" }, label),
      ),
      screen,
      h("div", { class: "controls" },
        playButton,
        skip(-10, "Back 10 seconds"),
        skip(10, "Forward 10 seconds"),
        timeline,
        time,
      ),
      position > 0 ? h("p", { class: "resume-note" }, `Resuming at ${formatTime(position)}.`) : null,
      status,
    ),
  );

  // Leaving the player (another route) sends the last position.
  return () => {
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("pagehide", onHide);
    clearTimeout(seekTimer);
    const was = playing;
    pause(false);
    if (was || Math.floor(position) !== lastSent) report(true);
  };
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
  const found = season.episodes.find((e) => e.episode_number === episodeNumber) || season.episodes[0];
  if (!found) throw new api.ApiError(404, { title: "Not Found", detail: "This season has no episodes." });
  return found;
}
