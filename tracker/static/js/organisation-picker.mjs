// Turns each select marked data-tracker-autocomplete into GOV.UK's accessible autocomplete
// (type part of a name to find one of thousands). Without JavaScript the select still works.
// accessible-autocomplete.min.js is loaded before this module as a classic script.
for (const select of document.querySelectorAll("select[data-tracker-autocomplete]")) {
  if (!window.accessibleAutocomplete) break;
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    tNoResults: () => "No organisation matches",
  });
}
