// Form helpers: labelled fields, and problem+json errors shown beside the fields they name.
import { h } from "../dom.js";

let fieldSeq = 0;

export function field(label, attrs = {}, hint = null) {
  const id = attrs.id || `field-${++fieldSeq}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = h(attrs.tag || "input", {
    ...attrs,
    tag: undefined,
    id,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
  });
  return h("div", { class: "field", dataset: { name: attrs.name || "" } },
    h("label", { for: id }, label),
    input,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId }),
  );
}

export function select(label, name, options, value, attrs = {}) {
  const id = attrs.id || `field-${++fieldSeq}`;
  return h("div", { class: "field", dataset: { name } },
    h("label", { for: id }, label),
    h("select", { id, name, ...attrs },
      Object.entries(options).map(([key, text]) => h("option", { value: key, selected: key === value }, text)),
    ),
    h("p", { class: "field-error", id: `${id}-error` }),
  );
}

export function checkbox(label, name, checked, attrs = {}) {
  const id = attrs.id || `field-${++fieldSeq}`;
  return h("div", { class: "field checkbox" },
    h("input", { type: "checkbox", id, name, checked, ...attrs }),
    h("label", { for: id }, label),
  );
}

export function formAlert() {
  return h("div", { class: "form-alert", role: "alert" });
}

export function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  const alert = form.querySelector(".form-alert");
  if (alert) alert.textContent = "";
}

// Problems the API names by code that belong to one field of the form.
const CODE_FIELDS = {
  "password-required": "password",
  "wrong-pin": "pin",
  "pin-required": "pin",
};

// The validator's wording (pydantic's) in words a member reads: "Password needs at least 10
// characters", never "Password String should have at least 10 characters".
export function fieldMessage(label, message) {
  const name = label.replace(/\s*\(.*\)\s*$/, "") || "This field";
  const text = String(message || "");
  let match;
  if (/^field required$/i.test(text)) return `Enter ${article(name)}.`;
  if ((match = /at least (\d+) characters?/i.exec(text))) {
    return match[1] === "1" ? `Enter ${article(name)}.` : `${name} needs at least ${match[1]} characters.`;
  }
  if ((match = /at most (\d+) characters?/i.exec(text))) return `${name} can have at most ${match[1]} characters.`;
  if (/email/i.test(text) && /valid|address|@/i.test(text)) return "Enter an email address like name@example.com.";
  if (/pattern/i.test(text)) return name === "PIN" || /pin/i.test(name) ? "A PIN is 4 digits." : `${name} isn't in the expected form.`;
  if (!text) return `${name} isn't valid.`;
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

function article(name) {
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  return /^(your|a|an|the)\b/i.test(lower) ? lower : `your ${lower}`;
}

function placeAt(form, name, message) {
  const box = form.querySelector(`.field[data-name="${CSS.escape(name)}"]`);
  if (!box) return false;
  box.querySelector(".field-error").textContent = message;
  box.querySelector("input, select")?.setAttribute("aria-invalid", "true");
  return true;
}

// What went wrong, in the form's alert; each field's problem beside its field. Only text and
// elements are appended (Element.append turns null into the text "null").
export function showError(form, error) {
  const alert = form.querySelector(".form-alert");
  const unplaced = [];
  let placed = 0;
  for (const item of error.errors || []) {
    const name = String(item.field || "").split(".").pop();
    const box = form.querySelector(`.field[data-name="${CSS.escape(name)}"]`);
    const message = fieldMessage(box ? labelOf(box) : name, item.message);
    if (box && placeAt(form, name, message)) placed += 1;
    else unplaced.push(message);
  }
  const codeField = CODE_FIELDS[error.code];
  const detail = error.detail || error.message || "Something went wrong. Try again.";
  if (codeField && placeAt(form, codeField, detail)) placed += 1;
  if (!alert) return;
  alert.textContent = "";
  const summary = placed && error.status === 422 ? "Check the highlighted fields." : detail;
  alert.append(summary);
  if (unplaced.length) alert.append(h("ul", {}, unplaced.map((text) => h("li", {}, text))));
  form.querySelector("[aria-invalid=true]")?.focus();
}

function labelOf(box) {
  return box.querySelector("label")?.textContent || "";
}

export async function submitting(form, work) {
  const button = form.querySelector("button[type=submit]");
  clearErrors(form);
  if (button) button.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (error) {
    showError(form, error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
    form.removeAttribute("aria-busy");
  }
}
