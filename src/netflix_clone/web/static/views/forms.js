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

// The problem's detail in the form's alert, each field error beside its field.
export function showError(form, error) {
  const alert = form.querySelector(".form-alert");
  const unplaced = [];
  for (const item of error.errors || []) {
    const name = String(item.field || "").split(".").pop();
    const box = form.querySelector(`.field[data-name="${CSS.escape(name)}"]`);
    if (box) {
      box.querySelector(".field-error").textContent = `${labelOf(box)} ${item.message}`;
      box.querySelector("input, select")?.setAttribute("aria-invalid", "true");
    } else {
      unplaced.push(`${item.field}: ${item.message}`);
    }
  }
  if (alert) {
    alert.textContent = "";
    alert.append(
      h("strong", {}, error.title || "Error"),
      " ",
      error.detail || error.message,
      unplaced.length ? h("ul", {}, unplaced.map((text) => h("li", {}, text))) : null,
    );
  }
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
