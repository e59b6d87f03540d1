// Turns each select marked data-tracker-autocomplete into GOV.UK's accessible autocomplete
// (type part of a name to find one of thousands). Without JavaScript the select still works.
// accessible-autocomplete.min.js is loaded before this module as a classic script.

// The widget draws the rest of a matching name as a second, read-only input behind the one
// typed in: a visual hint only, which it leaves unlabelled. Hide it from assistive technology
// (the list of options already says the same), so it is not read out as an unnamed field.
function hideHints(root) {
  for (const hint of root.querySelectorAll(".autocomplete__hint:not([aria-hidden])")) {
    hint.setAttribute("aria-hidden", "true");
  }
}

for (const select of document.querySelectorAll("select[data-tracker-autocomplete]")) {
  if (!window.accessibleAutocomplete) break;
  const parent = select.parentElement;
  // The select's "Choose an organisation" option would otherwise start the box filled in.
  const blank = select.querySelector('option[value=""]');
  if (blank) blank.textContent = "";
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    tNoResults: () => "No organisation matches",
  });
  hideHints(parent);
  new MutationObserver(() => hideHints(parent)).observe(parent, {
    childList: true,
    subtree: true,
  });
}
