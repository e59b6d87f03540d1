// Draws every chart on the page from the JSON beside it: no inline script, no CDN.
// plotly.min.js is loaded before this module as a classic script.
const config = { displayModeBar: false, responsive: true, displaylogo: false };

for (const element of document.querySelectorAll("[data-chart]")) {
  const source = document.getElementById(element.dataset.chart);
  if (!source || !window.Plotly) continue;
  const figure = JSON.parse(source.textContent);
  window.Plotly.newPlot(element, figure.data, figure.layout, config);
}
