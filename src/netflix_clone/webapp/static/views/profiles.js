// Who's watching? (the picker, with PIN entry for locked profiles) and Manage profiles.
import * as api from "../api.js";
import { clear, h, toast } from "../dom.js";
import { AVATARS, LEVELS, avatar, avatarUrl, errorPanel } from "./shell.js";
import { checkbox, field, formAlert, select, submitting } from "./forms.js";

const KIDS_LEVELS = { little_kids: LEVELS.little_kids, older_kids: LEVELS.older_kids };
const MAX_PROFILES = 5;

function nextOf(params) {
  const next = params.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/profiles") ? next : "/browse";
}

async function loadProfiles(main, retry) {
  try {
    return (await api.get("/api/users/me/profiles", { scope: "account" })).items;
  } catch (error) {
    clear(main).append(errorPanel(error, retry));
    return null;
  }
}

export async function pickerView(main, _params, ctx) {
  document.title = "Who's watching? · netflix-clone";
  main.classList.add("profiles-main");
  main.append(h("p", { class: "loading-text", role: "status" }, "Loading profiles…"));
  const profiles = await loadProfiles(main, () => ctx.navigate(location.pathname + location.search));
  if (!profiles || !ctx.isCurrent()) return;
  clear(main);
  const dialog = pinDialog(ctx);
  main.append(
    h("section", { class: "picker" },
      h("h1", {}, "Who's watching?"),
      h("ul", { class: "profile-grid" },
        profiles.map((profile) => {
          const notes = [profile.kids ? "Kids profile" : null, profile.locked ? "Locked with a PIN" : null]
            .filter(Boolean).join(", ");
          const noteId = `profile-note-${profile.id}`;
          return h("li", {},
            h("button", {
              type: "button",
              class: "profile-choice",
              "aria-label": profile.name,
              "aria-describedby": notes ? noteId : null,
              onClick: () => (profile.locked ? dialog.open(profile) : choose(profile, null, ctx)),
            },
              avatar(profile, "large"),
              h("span", { class: "profile-choice-name" }, profile.name),
              h("span", { class: "profile-badges", id: noteId },
                profile.kids ? h("span", { class: "badge kids-badge" }, "Kids") : null,
                profile.locked ? h("span", { class: "badge" }, "PIN") : null,
                notes ? h("span", { class: "visually-hidden" }, notes) : null,
              ),
            ),
          );
        }),
        profiles.length < MAX_PROFILES
          ? h("li", {}, h("a", { class: "profile-choice add-profile", href: "/profiles/manage?add=1" },
            h("span", { class: "add-tile", "aria-hidden": "true" }, "+"),
            h("span", { class: "profile-choice-name" }, "Add profile")))
          : null,
      ),
      h("a", { class: "button outline", href: "/profiles/manage" }, "Manage profiles"),
    ),
    dialog.element,
  );
  const unlock = Number(ctx.params.get("unlock"));
  const locked = profiles.find((p) => p.id === unlock && p.locked);
  if (locked) dialog.open(locked);
}

async function choose(profile, pin, ctx) {
  await api.chooseProfile(profile.id, pin);
  ctx.navigate(nextOf(ctx.params));
}

function pinDialog(ctx) {
  let current = null;
  const pinField = field("PIN", {
    type: "password",
    name: "pin",
    inputmode: "numeric",
    pattern: "[0-9]{4}",
    maxlength: 4,
    autocomplete: "off",
    required: true,
  }, "4 digits");
  const title = h("h2", { id: "pin-title" }, "Enter your PIN");
  const form = h("form", { method: "dialog", novalidate: true },
    title,
    formAlert(),
    pinField,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, "Unlock"),
      h("button", { type: "button", class: "button outline", onClick: () => element.close() }, "Cancel"),
    ),
  );
  const element = h("dialog", { class: "pin-dialog", "aria-labelledby": "pin-title" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const pin = String(new FormData(form).get("pin") || "");
    const done = await submitting(form, async () => {
      await api.chooseProfile(current.id, pin);
      return true;
    });
    if (done) {
      element.close();
      ctx.navigate(nextOf(ctx.params));
    }
  });
  return {
    element,
    open(profile) {
      current = profile;
      title.textContent = `Enter the PIN for ${profile.name}`;
      form.reset();
      form.querySelector(".form-alert").textContent = "";
      element.showModal();
      form.querySelector("input").focus();
    },
  };
}

// ---------------------------------------------------------------- manage

function profileFields(profile, isNew) {
  const kids = profile ? profile.kids : false;
  const levels = kids ? KIDS_LEVELS : LEVELS;
  return [
    field("Name", { type: "text", name: "name", required: true, maxlength: 40, value: profile ? profile.name : "" }),
    avatarPicker(profile ? profile.avatar : "default"),
    profile && profile.is_main ? null : checkbox("Kids profile", "kids", kids, { class: "kids-toggle" }),
    select("Maturity level", "maturity_level", levels, profile ? profile.maturity_level : "adults"),
    field(isNew ? "PIN (optional)" : (profile.locked ? "New PIN" : "Set a PIN"), {
      type: "password", name: "pin", inputmode: "numeric", pattern: "[0-9]{4}", maxlength: 4, autocomplete: "off",
    }, "4 digits; leave empty to keep things as they are"),
    profile && profile.locked ? checkbox("Remove the PIN", "remove_pin", false) : null,
    field("Account password", { type: "password", name: "password", autocomplete: "current-password" },
      "Needed to set or change a PIN or to raise the maturity level"),
  ];
}

// The avatar as pictures to choose from (radio buttons: one tab stop, arrow keys between them).
let pickerSeq = 0;
function avatarPicker(current) {
  const group = `avatar-${++pickerSeq}`;
  const chosen = Object.hasOwn(AVATARS, current) ? current : "default";
  return h("fieldset", { class: "field avatar-picker", dataset: { name: "avatar" } },
    h("legend", {}, "Avatar"),
    h("div", { class: "avatar-options" },
      Object.entries(AVATARS).map(([key, name]) => {
        const id = `${group}-${key}`;
        return h("span", { class: "avatar-option" },
          h("input", { type: "radio", name: "avatar", value: key, id, checked: key === chosen }),
          h("label", { for: id },
            h("img", { src: avatarUrl(key), alt: "", width: 64, height: 64 }),
            h("span", { class: "visually-hidden" }, name)),
        );
      }),
    ),
    h("p", { class: "field-error", id: `${group}-error` }),
  );
}

// The kids checkbox limits the maturity levels on offer.
function wireKids(form) {
  const toggle = form.querySelector(".kids-toggle");
  const level = form.querySelector("select[name=maturity_level]");
  if (!toggle || !level) return;
  toggle.addEventListener("change", () => {
    const options = toggle.checked ? KIDS_LEVELS : LEVELS;
    const keep = Object.hasOwn(options, level.value) ? level.value : toggle.checked ? "older_kids" : "adults";
    clear(level).append(...Object.entries(options).map(([key, text]) => h("option", { value: key, selected: key === keep }, text)));
  });
}

function bodyOf(form, profile) {
  const data = new FormData(form);
  const body = {};
  const name = String(data.get("name") || "").trim();
  if (!profile || name !== profile.name) body.name = name;
  const avatarValue = String(data.get("avatar"));
  if (!profile || avatarValue !== profile.avatar) body.avatar = avatarValue;
  const kidsBox = form.querySelector(".kids-toggle");
  if (kidsBox && (!profile || kidsBox.checked !== profile.kids)) body.kids = kidsBox.checked;
  const level = String(data.get("maturity_level"));
  if (!profile || level !== profile.maturity_level) body.maturity_level = level;
  const pin = String(data.get("pin") || "");
  if (pin) body.pin = pin;
  else if (data.get("remove_pin")) body.pin = null;
  const password = String(data.get("password") || "");
  if (password) body.password = password;
  return body;
}

// Manage profiles: the profiles as tiles; one is edited at a time (?edit=<id>), or a new one
// is added (?add=1), so the screen never holds five open forms.
export async function manageView(main, _params, ctx) {
  document.title = "Manage profiles · netflix-clone";
  main.classList.add("profiles-main");
  main.append(h("p", { class: "loading-text", role: "status" }, "Loading profiles…"));
  const profiles = await loadProfiles(main, () => ctx.navigate(location.pathname + location.search));
  if (!profiles || !ctx.isCurrent()) return;
  clear(main);
  const editing = profiles.find((p) => String(p.id) === ctx.params.get("edit"));
  const adding = ctx.params.get("add") === "1" && profiles.length < MAX_PROFILES;
  const back = () => ctx.navigate("/profiles/manage");
  if (editing) {
    main.append(h("section", { class: "manage" },
      h("h1", {}, `Edit ${editing.name}`), editForm(editing, back),
      h("a", { class: "button outline", href: "/profiles/manage" }, "Cancel")));
    return;
  }
  if (adding) {
    main.append(h("section", { class: "manage" },
      h("h1", {}, "Add a profile"), addForm(ctx),
      h("a", { class: "button outline", href: "/profiles/manage" }, "Cancel")));
    return;
  }
  main.append(
    h("section", { class: "picker" },
      h("h1", {}, "Manage profiles"),
      h("ul", { class: "profile-grid" },
        profiles.map((profile) => h("li", {},
          h("a", { class: "profile-choice editable", href: `/profiles/manage?edit=${profile.id}`, "aria-label": `Edit ${profile.name}` },
            h("span", { class: "avatar-wrap" }, avatar(profile, "large"), h("span", { class: "edit-mark", "aria-hidden": "true" }, "✎")),
            h("span", { class: "profile-choice-name" }, profile.name),
            h("span", { class: "profile-badges" },
              profile.is_main ? h("span", { class: "badge" }, "Main") : null,
              profile.kids ? h("span", { class: "badge kids-badge" }, "Kids") : null,
              profile.locked ? h("span", { class: "badge" }, "PIN") : null),
          ))),
        profiles.length < MAX_PROFILES
          ? h("li", {}, h("a", { class: "profile-choice add-profile", href: "/profiles/manage?add=1" },
            h("span", { class: "add-tile", "aria-hidden": "true" }, "+"),
            h("span", { class: "profile-choice-name" }, "Add profile")))
          : null,
      ),
      profiles.length >= MAX_PROFILES ? h("p", {}, `An account has at most ${MAX_PROFILES} profiles.`) : null,
      h("a", { class: "button primary", href: "/profiles" }, "Done"),
    ),
  );
}

function editForm(profile, done) {
  const form = h("form", { class: "profile-form", novalidate: true, "aria-label": `Edit ${profile.name}` },
    formAlert(),
    ...profileFields(profile, false),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, "Save"),
      profile.is_main ? null : h("button", {
        type: "button",
        class: "button outline danger",
        onClick: async () => {
          if (!window.confirm(`Delete the profile ${profile.name} and everything it has watched?`)) return;
          const data = new FormData(form);
          const body = {};
          if (data.get("pin")) body.pin = String(data.get("pin"));
          if (data.get("password")) body.password = String(data.get("password"));
          const deleted = await submitting(form, async () => {
            await api.request("DELETE", `/api/users/me/profiles/${profile.id}`, { scope: "account", body });
            return true;
          });
          if (deleted) {
            toast(`Deleted ${profile.name}.`);
            if (api.currentProfile()?.id === profile.id) api.forgetProfile();
            done();
          }
        },
      }, "Delete profile"),
    ),
  );
  wireKids(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = await submitting(form, async () => {
      const changed = await api.patch(`/api/users/me/profiles/${profile.id}`, bodyOf(form, profile), { scope: "account" });
      api.rememberProfile(changed);
      return true;
    });
    if (saved) {
      toast(`Saved ${profile.name}.`);
      done();
    }
  });
  return form;
}

function addForm(ctx) {
  const form = h("form", { class: "profile-form", novalidate: true, "aria-label": "Add a profile" },
    formAlert(),
    ...profileFields(null, true),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button primary" }, "Add profile")),
  );
  wireKids(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const added = await submitting(form, async () => {
      await api.post("/api/users/me/profiles", bodyOf(form, null), { scope: "account" });
      return true;
    });
    if (added) {
      toast("Profile added.");
      ctx.navigate("/profiles/manage");
    }
  });
  return form;
}
