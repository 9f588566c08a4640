// Page behaviour that CSP forbids inline: print buttons.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// A refused form shown again (core/exceptions.py): the address becomes the page's own again
// (so refresh and the form's own submit go where they should) and the input is filled back in.
document.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("refused-post");
  if (!data) {
    return;
  }
  const refused = JSON.parse(data.textContent);
  history.replaceState(null, "", refused.page);
  const target = new URL(refused.action, location.href).pathname;
  for (const form of document.querySelectorAll("form")) {
    if (new URL(form.action, location.href).pathname !== target) {
      continue;
    }
    for (const [name, values] of Object.entries(refused.input)) {
      const fields = Array.from(form.elements).filter((field) => field.name === name);
      for (const field of fields) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.includes(field.value);
        } else if (field.tagName === "SELECT" && field.multiple) {
          for (const option of field.options) {
            option.selected = values.includes(option.value);
          }
        } else if (field.type !== "file") {
          field.value = values[fields.indexOf(field)] ?? values[0] ?? "";
        }
      }
    }
  }
});

// A search form after Back: the browser puts back what was last typed or chosen on the page,
// which need not be the search the rows shown were found with. Each GET form is reset to the
// values the page was drawn with (nothing is lost: the address holds the search).
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form")) {
    if (form.method === "get") {
      form.reset();
    }
  }
});

// The resident picker (registry/picker.py): a match picked fills the hidden record id.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-pick-for]");
  if (!button) {
    return;
  }
  const target = document.getElementById(button.dataset.pickFor);
  if (!target) {
    return;
  }
  target.value = button.dataset.pickValue;
  const shown = document.querySelector(`[data-picked-for="${button.dataset.pickFor}"]`);
  if (shown) {
    shown.textContent = button.dataset.pickLabel;
  }
  const list = button.closest(".matches");
  if (list) {
    list.replaceChildren();
  }
});
