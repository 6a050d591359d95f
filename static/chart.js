// Vigie's chart: a plotly figure built in Python (dashboard.py), drawn by plotly.js's "basic"
// bundle (scatter and bar, 1.2 MB) instead of Streamlit's full Plotly (4.7 MB). Evaluating the
// full bundle cost a browser tab about 1.5 s before its first chart; this one costs about 0.3 s.
// The bundle is loaded once per tab and shared by every chart.
const BUNDLE = new URL("app/static/plotly-basic.min.js", document.baseURI).href;

function plotly() {
  window.vigiePlotly ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = BUNDLE;
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => {
      window.vigiePlotly = undefined; // the next refresh tries again
      reject(new Error(`could not load ${BUNDLE}`));
    };
    document.head.appendChild(script);
  });
  return window.vigiePlotly;
}

// plotly.js reads hex and rgb colours, not CSS color-mix().
function faint(colour) {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (!hex) return "rgba(128,128,128,0.2)";
  const [r, g, b] = hex.slice(1).map((part) => parseInt(part, 16));
  return `rgba(${r},${g},${b},0.15)`;
}

// The figure follows the dashboard's light or dark theme: Streamlit sets these on the element.
function themed(layout, element) {
  const style = getComputedStyle(element);
  const text = style.getPropertyValue("--st-text-color").trim() || "#1f2328";
  const font = style.getPropertyValue("--st-font").trim() || "sans-serif";
  const panel = style.getPropertyValue("--st-secondary-background-color").trim() || "#f6f8fa";
  const grid = faint(text);
  const axis = { gridcolor: grid, zerolinecolor: grid, linecolor: grid };
  return {
    ...layout,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: font, color: text, ...layout.font },
    xaxis: { ...axis, ...layout.xaxis },
    yaxis: { ...axis, ...layout.yaxis },
    // The unified hover box is drawn on the paper colour, transparent here: give it the
    // theme's panel colour, or its text is light on white in the dark theme.
    hoverlabel: { bgcolor: panel, bordercolor: grid, font: { family: font, color: text } },
  };
}

// The title is a line of the page above the plot, not SVG text: it wraps on a phone instead of
// being cut, and the legend (at the plot's top) can never be drawn over it.
function heading(parentElement, chart, text) {
  let title = parentElement.querySelector(":scope > .vigie-chart-title");
  if (!title) {
    title = document.createElement("div");
    title.className = "vigie-chart-title";
    title.style.cssText = "font-weight:600;line-height:1.35;margin:0.25rem 0 0.25rem 0.6rem;";
    parentElement.insertBefore(title, chart);
  }
  title.textContent = text;
  title.hidden = !text;
}

// A zoom on a time axis tells the page its range: the page offers to make it the period.
function reportZoom(chart, setTriggerValue) {
  if (chart.vigieZoom || !setTriggerValue) return;
  chart.vigieZoom = true;
  chart.on("plotly_relayout", (change) => {
    const start = change["xaxis.range[0]"], end = change["xaxis.range[1]"];
    if (start !== undefined && end !== undefined) setTriggerValue("zoom", { start, end });
  });
}

export default function ({ data, parentElement, setTriggerValue }) {
  let chart = parentElement.querySelector(":scope > .vigie-chart");
  if (!chart) {
    chart = document.createElement("div");
    chart.className = "vigie-chart";
    parentElement.appendChild(chart);
  }
  const figure = typeof data === "string" ? JSON.parse(data) : data;
  const given = figure.layout?.title;
  heading(parentElement, chart, (typeof given === "string" ? given : given?.text) ?? "");
  figure.layout = { ...figure.layout, title: { text: "" } };
  const config = { displaylogo: false, responsive: true, ...figure.config };
  // Streamlit calls the cleanup below when newer data has come in before this call finished,
  // and when the chart leaves the page: a superseded call draws nothing.
  let superseded = false;
  plotly()
    .then((Plotly) => {
      if (superseded || !chart.isConnected) return;
      const layout = { uirevision: "keep", ...themed(figure.layout ?? {}, parentElement) };
      try {
        Plotly.react(chart, figure.data, layout, config);
      } catch (error) {
        Plotly.purge(chart);
        chart.textContent = `This chart cannot be drawn (${error.message}); its data is in the CSV below.`;
        return;
      }
      reportZoom(chart, setTriggerValue);
      if (!chart.vigieResize) {
        // The sidebar opening or closing changes the width without a window resize event.
        chart.vigieResize = new ResizeObserver(() => {
          if (chart.isConnected) return Plotly.Plots.resize(chart);
          chart.vigieResize.disconnect();
          chart.vigieResize = undefined;
        });
        chart.vigieResize.observe(parentElement);
      }
    })
    .catch((error) => {
      chart.textContent = `This chart cannot be drawn (${error.message}); its data is in the CSV below.`;
    });
  return () => {
    superseded = true;
    if (chart.isConnected) return; // newer data draws into the same chart
    chart.vigieResize?.disconnect();
    chart.vigieResize = undefined;
    window.Plotly?.purge(chart);
  };
}
