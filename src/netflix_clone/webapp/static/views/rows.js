// A row of cards that scrolls sideways: one tab stop per row, arrow keys move inside it
// (roving focus), the scroll arrows appear only when the row overflows, and the next page
// loads when the end comes into view or "More" is pressed.
import * as api from "../api.js";
import { h } from "../dom.js";
import { cardLink } from "./shell.js";

// row: { id, title, items, page, has_more, reason? }
// options.more(page) -> { items, page, has_more }: the next page (omit for a row without one)
// options.extras(card) -> cardLink options (progress, episode) or null
// options.actions(card, li) -> nodes shown under the card (e.g. a remove button)
export function rowSection(row, { more = null, extras = () => null, actions = null } = {}) {
  const headingId = `row-${row.id}-title`;
  const list = h("ul", { class: "row-items", "aria-labelledby": headingId });
  const seen = new Set();
  let page = row.page || 1;
  let moreItem = null;

  const addCards = (items) => {
    for (const card of items) {
      const key = api.keyOf(api.kindOf(card), card.id);
      if (seen.has(key)) continue;
      seen.add(key);
      const li = h("li", { class: "row-item" }, cardLink(card, extras(card) || {}));
      if (actions) li.append(h("div", { class: "card-actions" }, actions(card, li)));
      if (moreItem) list.insertBefore(li, moreItem);
      else list.append(li);
    }
    roving.refresh();
    overflow.check();
  };

  const status = h("p", { class: "row-status", role: "status" });
  let observer = null;
  let busy = false;
  // Not `disabled` while loading: a disabled button loses the keyboard focus it holds.
  const loadMore = async () => {
    if (!moreButton || busy) return;
    busy = true;
    moreButton.setAttribute("aria-busy", "true");
    status.textContent = `Loading more of ${row.title}…`;
    try {
      const next = await more(page + 1);
      page = next.page;
      addCards(next.items);
      status.textContent = `${next.items.length} more titles in ${row.title}.`;
      if (!next.has_more) {
        observer?.disconnect();
        const hadFocus = moreItem.contains(document.activeElement);
        moreItem.remove();
        moreItem = null;
        roving.refresh();
        if (hadFocus) roving.focusLast();
      }
    } catch (error) {
      status.textContent = `${row.title} could not load more. ${error.detail || error.message || ""}`.trim();
    } finally {
      busy = false;
      moreButton.removeAttribute("aria-busy");
    }
  };
  const moreButton = more && row.has_more
    ? h("button", { type: "button", class: "more-card", onClick: loadMore },
      "More", h("span", { class: "visually-hidden" }, ` ${row.title}`))
    : null;
  const roving = rovingFocus(list);
  const scrollLeft = scrollButton(row.title, -1, list);
  const scrollRight = scrollButton(row.title, 1, list);
  const overflow = overflowWatch(list, [scrollLeft, scrollRight]);
  if (moreButton) {
    moreItem = h("li", { class: "more-item" }, moreButton);
    list.append(moreItem);
  }
  addCards(row.items);
  if (moreItem && "IntersectionObserver" in window) {
    observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) loadMore();
    }, { root: list, rootMargin: "0px 200px 0px 0px" });
    observer.observe(moreItem);
  }
  const section = h("section", { class: "row", "aria-labelledby": headingId, dataset: { row: row.id, reason: row.reason?.kind || "list" } },
    h("div", { class: "row-head" },
      h("h2", { id: headingId }, row.title),
      h("div", { class: "row-scroll" }, scrollLeft, scrollRight),
    ),
    list,
    status,
  );
  section.refreshRow = () => {
    roving.refresh();
    overflow.check();
  };
  return section;
}

function scrollButton(title, direction, list) {
  // The arrows are for pointers: keyboard users move with the arrow keys inside the row.
  return h("button", {
    type: "button",
    class: "scroll-button",
    tabindex: "-1",
    hidden: true,
    "aria-label": `Scroll ${title} ${direction < 0 ? "left" : "right"}`,
    onClick: () => list.scrollBy({ left: direction * list.clientWidth * 0.8, behavior: "smooth" }),
  }, direction < 0 ? "‹" : "›");
}

// The arrows show only while the row is wider than its box.
function overflowWatch(list, buttons) {
  const check = () => {
    const overflows = list.scrollWidth > list.clientWidth + 1;
    for (const button of buttons) button.hidden = !overflows;
  };
  if ("ResizeObserver" in window) new ResizeObserver(check).observe(list);
  return { check };
}

// One tab stop per row: the last focused control (a card or a card's action) keeps
// tabindex=0, the rest -1; ←/→ move along the row, Home/End to its ends, ↑/↓ to the same place
// in the row above or below.
export function rovingFocus(list) {
  let current = 0;
  const items = () => [...list.querySelectorAll("a.card, .card-actions button, .more-card")];
  const set = (index, focus) => {
    const all = items();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((node, i) => node.setAttribute("tabindex", i === current ? "0" : "-1"));
    if (focus) {
      all[current].focus({ preventScroll: true });
      all[current].scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  };
  list.addEventListener("focusin", (event) => {
    const index = items().indexOf(event.target);
    if (index >= 0) set(index, false);
  });
  list.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const all = items();
    const index = all.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: all.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      set(moves[event.key], true);
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      const rows = [...document.querySelectorAll(".row-items")];
      const other = rows[rows.indexOf(list) + (event.key === "ArrowDown" ? 1 : -1)];
      const target = other?.querySelector("[tabindex='0']");
      if (target) {
        event.preventDefault();
        target.focus({ preventScroll: true });
        target.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
    }
  });
  return {
    refresh: () => set(current, false),
    focusLast: () => set(items().length - 1, true),
  };
}
