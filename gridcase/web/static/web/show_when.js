/* Forms show only the fields that apply: a control marked data-show-when="kind:officer
   village_station" is shown (and sent) only while the form's control named "kind" has one of
   those values; otherwise its field is hidden and disabled, so nothing it holds is sent.
   Without JavaScript every field is shown, and the server drops what does not apply. */
const applies = (control) => {
  const [name, values] = control.dataset.showWhen.split(":");
  const source = control.form?.elements.namedItem(name);
  return !source || values.split(" ").includes(source.value);
};

const refresh = (form) => {
  for (const control of form.querySelectorAll("[data-show-when]")) {
    const shown = applies(control);
    control.disabled = !shown;
    const field = control.closest(".field") ?? control;
    field.hidden = !shown;
  }
};

for (const form of document.querySelectorAll("form")) {
  if (!form.querySelector("[data-show-when]")) continue;
  form.addEventListener("change", () => refresh(form));
  refresh(form);
}
