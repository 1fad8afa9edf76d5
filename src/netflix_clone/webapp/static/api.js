// The only module that talks to the backend: tokens, transparent refresh, profile tokens,
// problem+json errors, and retries of 503 answers that honour Retry-After.

const KEY = "nc.session";
const EARLY_MS = 30_000; // refresh tokens this long before they expire
const MAX_RETRIES = 3;
const MAX_RETRY_WAIT_S = 30;

export class ApiError extends Error {
  constructor(status, problem = {}, retryAfter = null) {
    const message = problem.detail || problem.title || `The server answered ${status}.`;
    super(message);
    this.status = status;
    this.title = problem.title || "Error";
    this.detail = problem.detail || "";
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.code = typeof problem.type === "string" ? problem.type.split("/").pop() : "";
    this.retryAfter = retryAfter;
  }
}

export class NetworkError extends ApiError {
  constructor() {
    super(0, {
      title: "Network error",
      detail: "The service could not be reached. Check your connection and try again.",
    });
  }
}

const listeners = { signedOut: () => {}, profileNeeded: () => {}, retrying: () => {} };

export function on(name, fn) {
  listeners[name] = fn;
}

// ---------------------------------------------------------------- the session in storage

export function session() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

function save(value) {
  localStorage.setItem(KEY, JSON.stringify(value));
}

function update(changes) {
  const next = { ...session(), ...changes };
  save(next);
  return next;
}

export function signedIn() {
  return Boolean(session().refresh);
}

export function currentProfile() {
  return session().profile || null;
}

export function forget() {
  localStorage.removeItem(KEY);
}

export function forgetProfile() {
  update({ profile: null, profileToken: null, profileExp: 0 });
}

function storeTokens(tokens) {
  return update({
    access: tokens.access_token,
    accessExp: Date.now() + tokens.expires_in * 1000,
    refresh: tokens.refresh_token,
  });
}

// ---------------------------------------------------------------- HTTP

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(method, path, { body, token, keepalive, signal } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive,
      signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new NetworkError();
  }
}

async function errorOf(response) {
  let problem = {};
  try {
    problem = await response.json();
  } catch {
    problem = {};
  }
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  return new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : null);
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  return type.includes("json") ? response.json() : null;
}

const IDEMPOTENT = new Set(["GET", "PUT", "DELETE"]);

// One request with 503 retries (idempotent methods only), waiting Retry-After seconds.
async function attempt(method, path, options) {
  for (let tries = 0; ; tries += 1) {
    const response = await send(method, path, options);
    if (response.status !== 503 || !IDEMPOTENT.has(method) || tries >= MAX_RETRIES) {
      return response;
    }
    const error = await errorOf(response);
    const wait = Math.min(Math.max(error.retryAfter ?? 2, 1), MAX_RETRY_WAIT_S);
    listeners.retrying(wait, error);
    await sleep(wait * 1000);
  }
}

// ---------------------------------------------------------------- tokens

let refreshing = null;

// Rotate the refresh token once, however many requests need it at the same time.
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      const current = session();
      if (!current.refresh) throw new ApiError(401, { title: "Signed out", detail: "Sign in." });
      const response = await send("POST", "/api/auth/refresh", {
        body: { refresh_token: current.refresh },
      });
      if (response.ok) return storeTokens(await response.json());
      const error = await errorOf(response);
      if (response.status === 401 || response.status === 422 || response.status === 400) {
        forget();
        listeners.signedOut(error);
      }
      throw error;
    })().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function accountToken() {
  const current = session();
  if (!current.refresh) return null;
  if (current.access && current.accessExp - EARLY_MS > Date.now()) return current.access;
  return (await refresh()).access;
}

let choosing = null;

// A new profile token for the profile already chosen (locked profiles need their PIN again).
async function reissueProfileToken() {
  if (!choosing) {
    choosing = (async () => {
      const profile = currentProfile();
      if (!profile) throw new ApiError(403, { title: "Choose a profile" });
      try {
        return await chooseProfile(profile.id, null);
      } catch (error) {
        if (error.status === 403 || error.status === 404) {
          forgetProfile();
          listeners.profileNeeded(error, profile);
        }
        throw error;
      }
    })().finally(() => {
      choosing = null;
    });
  }
  return choosing;
}

async function profileToken() {
  const current = session();
  if (!current.profile) return null;
  if (current.profileToken && current.profileExp - EARLY_MS > Date.now()) {
    return current.profileToken;
  }
  return (await reissueProfileToken()).profileToken;
}

// ---------------------------------------------------------------- the public request API

// scope: "none", "account" (the account token) or "profile" (the chosen profile's token).
export async function request(method, path, { scope = "profile", body, keepalive, signal } = {}) {
  const tokenFor = scope === "account" ? accountToken : scope === "profile" ? profileToken : null;
  let token = tokenFor ? await tokenFor() : null;
  let response = await attempt(method, path, { body, token, keepalive, signal });
  if (response.status === 401 && tokenFor && token) {
    if (scope === "account") token = (await refresh()).access;
    else token = (await reissueProfileToken()).profileToken;
    response = await attempt(method, path, { body, token, keepalive, signal });
    if (response.status === 401) {
      forget();
      const error = await errorOf(response);
      listeners.signedOut(error);
      throw error;
    }
  }
  if (!response.ok) throw await errorOf(response);
  return readBody(response);
}

export const get = (path, options) => request("GET", path, options);
export const put = (path, data, options) => request("PUT", path, { ...options, body: data });
export const del = (path, options) => request("DELETE", path, options);
export const post = (path, data, options) => request("POST", path, { ...options, body: data });
export const patch = (path, data, options) => request("PATCH", path, { ...options, body: data });

// ---------------------------------------------------------------- accounts

export async function signIn(email, password) {
  const response = await attempt("POST", "/api/auth/token", { body: { email, password } });
  if (!response.ok) throw await errorOf(response);
  forget();
  storeTokens(await response.json());
}

export async function signUp(email, password, displayName) {
  await post(
    "/api/users",
    { email, password, display_name: displayName },
    { scope: "none" },
  );
  await signIn(email, password);
}

export async function signOut() {
  const current = session();
  forget();
  if (current.refresh) {
    try {
      await send("POST", "/api/auth/logout", { body: { refresh_token: current.refresh } });
    } catch {
      // Signed out here either way; the session ends on the server when its tokens expire.
    }
  }
}

export async function chooseProfile(profileId, pin) {
  const answer = await post(
    `/api/users/me/profiles/${profileId}/token`,
    pin ? { pin } : {},
    { scope: "account" },
  );
  return update({
    profile: answer.profile,
    profileToken: answer.access_token,
    profileExp: Date.now() + answer.expires_in * 1000,
  });
}

export function rememberProfile(profile) {
  const current = session();
  if (current.profile && current.profile.id === profile.id) update({ profile });
}

// ---------------------------------------------------------------- titles

export const kindOf = (card) => (card && card.kind) || "movie";
export const titleOf = (item) => (item && (item.title && typeof item.title === "object"
  ? item.title
  : item.movie)) || null;
export const keyOf = (kind, id) => `${kind}:${id}`;

let searchPath = "/api/search";

// Titles of every kind; before the series API exists, movies only.
export async function search(query, signal) {
  const q = encodeURIComponent(query);
  if (searchPath === "/api/search") {
    try {
      return await get(`/api/search?q=${q}`, { signal });
    } catch (error) {
      if (error.status !== 404) throw error;
      searchPath = "/api/movies/search";
    }
  }
  return get(`${searchPath}?q=${q}`, { signal });
}

export function details(kind, id) {
  return get(kind === "series" ? `/api/series/${id}` : `/api/movies/${id}`);
}

export function season(id, number) {
  return get(`/api/series/${id}/seasons/${number}`);
}

// Member actions: the legacy paths for movies, the kind-named ones for series.
const memberPath = (what, kind, id) =>
  kind === "movie" ? `/api/profile/${what}/${id}` : `/api/profile/${what}/${kind}/${id}`;

export const addToList = (kind, id) => put(memberPath("list", kind, id));
export const removeFromList = (kind, id) => del(memberPath("list", kind, id));
export const rate = (kind, id, rating) => put(memberPath("ratings", kind, id), { rating });
export const unrate = (kind, id) => del(memberPath("ratings", kind, id));

export function reportProgress(kind, id, payload, keepalive = false) {
  const path =
    kind === "movie" ? `/api/profile/progress/${id}` : `/api/profile/progress/series/${id}`;
  return request("PUT", path, { body: payload, keepalive });
}

// Every page of a member collection (My List, ratings, history), up to `cap` items.
export async function collect(path, cap = 500) {
  const items = [];
  for (let page = 1; items.length < cap; page += 1) {
    const answer = await get(`${path}?per_page=100&page=${page}`);
    items.push(...answer.items);
    if (answer.items.length === 0 || items.length >= answer.total) break;
  }
  return items;
}
