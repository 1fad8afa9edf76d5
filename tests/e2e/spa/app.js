// Calls TMDB the way many open-source Netflix clones do, except that the base URL is ours.
// The key below is what such an app ships in its bundle; the gateway ignores it.
const API_KEY = "anything";
const BASE_URL = "/tmdb/3";

async function tmdb(path, params = {}) {
  const query = new URLSearchParams({ api_key: API_KEY, language: "en-US", ...params });
  const response = await fetch(`${BASE_URL}/${path}?${query}`, {
    headers: { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" },
  });
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  }
  return response.json();
}

function item(text, className) {
  const li = document.createElement("li");
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text;
  li.append(span);
  return li;
}

async function main() {
  const [config, genres, popular] = await Promise.all([
    tmdb("configuration"),
    tmdb("genre/movie/list"),
    tmdb("movie/popular", { page: 1 }),
  ]);
  const imageBase = `${config.images.secure_base_url}w185`;
  document.getElementById("genres").append(...genres.genres.map((g) => item(g.name, "genre")));
  document.getElementById("popular").append(
    ...popular.results.map((movie) => {
      const li = item(movie.title, "title");
      if (movie.poster_path) {
        const img = document.createElement("img");
        img.alt = movie.title;
        img.src = imageBase + movie.poster_path;
        li.prepend(img);
      }
      return li;
    }),
  );
  document.getElementById("status").textContent = "ready";
}

main().catch((error) => {
  document.getElementById("status").textContent = `error: ${error.message}`;
});
