// Draws every chart on the page from the JSON beside it: no inline script, no CDN.
// plotly.min.js is loaded before this module as a classic script.
const config = { displayModeBar: false, responsive: true, displaylogo: false };
// On A4 portrait with 12 mm margins the page is about 700 CSS pixels wide; a chart is drawn
// that wide and at most this tall, so it never keeps its screen height (up to 736 px) and
// never spills over the table that follows it.
const PRINT_WIDTH = 680;
const PRINT_HEIGHT = 320;
// ...except a chart of horizontal bars, which is given this much height a bar (never more than
// on screen) so that Plotly need not drop every other name to fit them in.
const PRINT_ROW = 26;

// On a phone a bar chart's long names (streams, councils) would take the whole width and
// leave none for the bars: there they are wrapped onto lines of about this many characters.
const NARROW = 640;
const LINE = 18;

const TITLE_LINE = 30;

function lines(label, width) {
  const out = [];
  for (const word of String(label).split(" ")) {
    const last = out.length - 1;
    if (last >= 0 && (out[last] + " " + word).length <= width) out[last] += " " + word;
    else out.push(word);
  }
  return out;
}

const wrapped = (label) => lines(label, LINE).join("<br>");

function fitNarrow(element, figure) {
  if (element.clientWidth >= NARROW) return;
  const title = figure.layout.title;
  if (title && title.text) {
    const titleLines = lines(title.text, TITLE_LINE);
    figure.layout.title = { ...title, text: titleLines.join("<br>") };
    const margin = figure.layout.margin || {};
    figure.layout.margin = { ...margin, t: (margin.t || 60) + 22 * (titleLines.length - 1) };
    figure.layout.height = (figure.layout.height || 460) + 22 * (titleLines.length - 1);
  }
  const bars = figure.data.filter((trace) => trace.type === "bar" && trace.orientation === "h");
  if (!bars.length) return;
  // Labels are escaped text already (charts.py): breaking at spaces keeps every entity whole.
  const names = bars[0].y;
  figure.layout.yaxis = {
    ...figure.layout.yaxis,
    tickmode: "array",
    tickvals: names,
    ticktext: names.map(wrapped),
  };
}

const charts = [];
for (const element of document.querySelectorAll("[data-chart]")) {
  const source = document.getElementById(element.dataset.chart);
  if (!source || !window.Plotly) continue;
  const figure = JSON.parse(source.textContent);
  fitNarrow(element, figure);
  window.Plotly.newPlot(element, figure.data, figure.layout, config);
  charts.push({ element, height: figure.layout.height });
}

let printing = false;

function printHeight(element, height) {
  const capped = Math.min(height || PRINT_HEIGHT, PRINT_HEIGHT);
  const bars = element.data.filter((trace) => trace.type === "bar" && trace.orientation === "h");
  if (!bars.length) return capped;
  const names = new Set(bars.flatMap((trace) => Array.from(trace.y))).size;
  const margin = element.layout.margin || {};
  const needed = names * PRINT_ROW + (margin.t ?? 80) + (margin.b ?? 80);
  return Math.max(capped, Math.min(needed, height || needed));
}

function forPrint() {
  if (printing) return;
  printing = true;
  for (const { element, height } of charts) {
    element.classList.add("tracker-chart--print");
    window.Plotly.relayout(element, { width: PRINT_WIDTH, height: printHeight(element, height) });
  }
  document.documentElement.dataset.chartsSizedFor = "print";
}

function forScreen() {
  if (!printing) return;
  printing = false;
  for (const { element, height } of charts) {
    element.classList.remove("tracker-chart--print");
    window.Plotly.relayout(element, { width: null, height: height ?? null, autosize: true });
  }
  document.documentElement.dataset.chartsSizedFor = "screen";
}

// The print dialog fires beforeprint/afterprint; print media (a PDF printer, or emulated)
// changes the media query.
window.addEventListener("beforeprint", forPrint);
window.addEventListener("afterprint", forScreen);
const print = window.matchMedia("print");
print.addEventListener("change", (event) => (event.matches ? forPrint() : forScreen()));
if (print.matches) forPrint();
document.documentElement.dataset.chartsSizedFor = printing ? "print" : "screen";
