// Sign in and sign up.
import * as api from "../api.js";
import { h } from "../dom.js";
import { field, formAlert, submitting } from "./forms.js";

function nextOf(params) {
  const next = params.get("next") || "";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/profiles";
}

function page(main, title, form, footer) {
  document.title = `${title} · netflix-clone`;
  main.classList.add("auth-main");
  main.append(
    h("div", { class: "auth-brand", "aria-hidden": "true" }, "NETFLIX-CLONE"),
    h("section", { class: "auth-card" }, h("h1", {}, title), form, footer),
  );
}

export function signInView(main, _params, { navigate, params }) {
  const form = h("form", { novalidate: true },
    formAlert(),
    field("Email", { type: "email", name: "email", autocomplete: "email", required: true }),
    field("Password", { type: "password", name: "password", autocomplete: "current-password", required: true }),
    h("button", { type: "submit", class: "button primary wide" }, "Sign in"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const done = await submitting(form, async () => {
      await api.signIn(String(data.get("email")), String(data.get("password")));
      return true;
    });
    if (done) {
      const next = nextOf(params);
      navigate(next === "/profiles" ? next : `/profiles?next=${encodeURIComponent(next)}`);
    }
  });
  page(main, "Sign in", form,
    h("p", { class: "auth-switch" }, "New here? ", h("a", { href: "/signup" }, "Create an account")));
}

export function signUpView(main, _params, { navigate }) {
  const form = h("form", { novalidate: true },
    formAlert(),
    field("Your name", { type: "text", name: "display_name", autocomplete: "name", required: true, maxlength: 80 }),
    field("Email", { type: "email", name: "email", autocomplete: "email", required: true }),
    field("Password", { type: "password", name: "password", autocomplete: "new-password", required: true, minlength: 10 },
      "At least 10 characters; avoid common passwords."),
    h("button", { type: "submit", class: "button primary wide" }, "Create account"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const done = await submitting(form, async () => {
      await api.signUp(String(data.get("email")), String(data.get("password")), String(data.get("display_name")));
      return true;
    });
    if (done) navigate("/profiles");
  });
  page(main, "Create your account", form,
    h("p", { class: "auth-switch" }, "Already a member? ", h("a", { href: "/signin" }, "Sign in")));
}
