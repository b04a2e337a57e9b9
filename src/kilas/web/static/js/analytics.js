// Charts of the Studio pages and the operators' dashboard. Chart.js (from npm, served at /vendor/chart)
// draws them from the JSON embedded in the page, the same document the analytics API returns.
import { currentLang, el, readJson, t } from "./common.js";

const lang = currentLang();
const locale = lang === "id" ? "id-ID" : "en-GB";
const dataNode = document.getElementById("analytics-data");
const kind = dataNode ? dataNode.dataset.kind : null;
const data = readJson("analytics-data");

const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
const dayFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
const monthFormat = new Intl.DateTimeFormat(locale, { month: "short", year: "2-digit", timeZone: "UTC" });
// Hours are shown in Western Indonesia Time, like the days of every series.
const hourFormat = new Intl.DateTimeFormat(locale, {
  hour: "2-digit",
  minute: "2-digit",
  hour12: false,
  timeZone: "Asia/Jakarta",
});

const dayLabel = (iso) => dayFormat.format(new Date(`${iso}T00:00:00Z`));
const monthLabel = (month) => monthFormat.format(new Date(`${month}-01T00:00:00Z`));
const hourLabel = (iso) => hourFormat.format(new Date(iso));
const percentText = (value) => (value === null || value === undefined ? "–" : `${decimal.format(value)}%`);

function colors() {
  const style = getComputedStyle(document.documentElement);
  const read = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const brand = read("--brand", "#ff3d5a");
  const accent = read("--accent", "#19c3b1");
  return {
    brand,
    accent,
    text: read("--muted", "#6b6b76"),
    grid: read("--border", "#e2e2e8"),
    series: [brand, accent, "#5a5af0", "#f0a000", "#2f9e44", "#9c36b5", "#868e96"],
  };
}

function withAlpha(hex, alpha) {
  const match = /^#([0-9a-f]{6})$/i.exec(hex);
  if (!match) return hex;
  const value = parseInt(match[1], 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

function baseOptions(
  palette,
  { percent = false, fractional = false, stacked = false, horizontal = false, legend = false } = {},
) {
  const valueAxis = {
    beginAtZero: true,
    grid: { color: palette.grid },
    ticks: {
      color: palette.text,
      precision: percent || fractional ? undefined : 0,
      callback: (value) => {
        if (percent) return `${decimal.format(value)}%`;
        return fractional ? decimal.format(value) : integer.format(value);
      },
    },
    stacked,
  };
  const categoryAxis = {
    grid: { display: false },
    ticks: { color: palette.text, autoSkip: true, maxRotation: 0, autoSkipPadding: 8 },
    stacked,
  };
  return {
    responsive: true,
    maintainAspectRatio: false,
    locale,
    animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 400 },
    indexAxis: horizontal ? "y" : "x",
    interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { display: legend, labels: { color: palette.text, boxWidth: 12 } },
      tooltip: {
        callbacks: {
          label: (context) => {
            const value = horizontal ? context.parsed.x : context.parsed.y;
            const shown = percent ? percentText(value) : decimal.format(value);
            return context.dataset.label ? `${context.dataset.label}: ${shown}` : shown;
          },
        },
      },
    },
    scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
  };
}

function bar(palette, labels, values, label, color, options = {}) {
  return {
    type: "bar",
    data: {
      labels,
      datasets: [{ label, data: values, backgroundColor: color, borderRadius: 4, maxBarThickness: 28 }],
    },
    options: baseOptions(palette, options),
  };
}

function line(palette, labels, datasets, options = {}) {
  return {
    type: "line",
    data: {
      labels,
      datasets: datasets.map(({ label, values, color, fill = false }) => ({
        label,
        data: values,
        borderColor: color,
        backgroundColor: withAlpha(color, 0.15),
        fill,
        tension: 0.3,
        pointRadius: values.length > 40 ? 0 : 2,
        borderWidth: 2,
        spanGaps: false,
      })),
    },
    options: baseOptions(palette, { legend: datasets.length > 1, ...options }),
  };
}

function doughnut(palette, slices) {
  if (!slices.length) return null; // nothing to share out yet
  return {
    type: "doughnut",
    data: {
      labels: slices.map((slice) => slice.label),
      datasets: [
        {
          data: slices.map((slice) => slice.views),
          backgroundColor: slices.map((_, index) => palette.series[index % palette.series.length]),
          borderWidth: 0,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      locale,
      cutout: "62%",
      animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : { duration: 400 },
      plugins: {
        legend: {
          position: window.matchMedia("(min-width: 700px)").matches ? "right" : "bottom",
          labels: { color: palette.text, boxWidth: 12 },
        },
        tooltip: {
          callbacks: {
            label: (context) => {
              const slice = slices[context.dataIndex];
              return `${slice.label}: ${t("percent_of_views", { value: decimal.format(slice.percent) })}`;
            },
          },
        },
      },
    },
  };
}

// One builder per `data-chart` name; each returns a Chart.js configuration.
function creatorCharts(palette) {
  const days = data.daily || [];
  const labels = days.map((day) => dayLabel(day.day));
  return {
    views: () => bar(palette, labels, days.map((d) => d.views), t("views"), palette.brand),
    watch: () => {
      // Minutes until a day reaches an hour of watching, then hours.
      const inHours = Math.max(0, ...days.map((d) => d.watch_ms)) >= 3_600_000;
      const values = days.map((d) => d.watch_ms / (inHours ? 3_600_000 : 60_000));
      const label = t(inHours ? "watch_hours" : "watch_minutes");
      return line(palette, labels, [{ label, values, color: palette.accent, fill: true }], { fractional: true });
    },
    quality: () =>
      line(
        palette,
        labels,
        [
          { label: t("avg_watch"), values: days.map((d) => d.avg_watch_percent), color: palette.brand },
          { label: t("completion"), values: days.map((d) => d.completion_rate), color: palette.accent },
        ],
        { percent: true },
      ),
    followers: () =>
      bar(palette, labels, days.map((d) => d.new_followers), t("new_followers"), palette.series[2]),
    hourly: () =>
      bar(
        palette,
        (data.hourly || []).map((h) => hourLabel(h.hour)),
        (data.hourly || []).map((h) => h.views),
        t("views"),
        palette.brand,
      ),
    sources: () => doughnut(palette, (data.sources || []).filter((slice) => slice.views > 0)),
    age: () =>
      bar(
        palette,
        data.audience.age.map((slice) => slice.label),
        data.audience.age.map((slice) => slice.percent),
        t("views"),
        palette.accent,
        { percent: true },
      ),
    gender: () => doughnut(palette, data.audience.gender.filter((slice) => slice.views > 0)),
    retention: () => {
      const points = data.retention || [];
      const config = line(
        palette,
        points.map((point) => `${point.second}s`),
        [{ label: t("still_watching"), values: points.map((p) => p.percent), color: palette.brand, fill: true }],
        { percent: true },
      );
      config.options.scales.y.max = 100;
      config.data.datasets[0].tension = 0; // measured points, joined straight
      config.options.plugins.tooltip.callbacks.title = (items) =>
        items.length ? t("second", { second: points[items[0].dataIndex].second }) : "";
      return config;
    },
  };
}

function platformCharts(palette) {
  const uploads = data.uploads || [];
  const active = data.active || [];
  const provinces = (data.provinces || []).filter((row) => row.views > 0).slice(0, 10);
  return {
    uploads: () =>
      bar(palette, uploads.map((d) => dayLabel(d.day)), uploads.map((d) => d.count), t("uploads"), palette.accent),
    monthly: () =>
      bar(
        palette,
        (data.views_by_month || []).map((m) => monthLabel(m.month)),
        (data.views_by_month || []).map((m) => m.views),
        t("views"),
        palette.brand,
      ),
    active: () =>
      line(palette, active.map((d) => dayLabel(d.day)), [
        { label: t("daily_active"), values: active.map((d) => d.daily), color: palette.brand },
        { label: t("monthly_active"), values: active.map((d) => d.monthly), color: palette.accent },
      ]),
    provinces: () =>
      bar(
        palette,
        provinces.map((row) => row.province),
        provinces.map((row) => row.views),
        t("views"),
        palette.series[2],
        { horizontal: true },
      ),
  };
}

function showProblem(canvas, message) {
  const box = canvas.parentElement;
  canvas.hidden = true;
  if (box && !box.querySelector(".chart-problem")) box.append(el("p", "chart-problem muted", message));
}

function drawAll() {
  const canvases = document.querySelectorAll("canvas[data-chart]");
  if (!canvases.length || !data) return;
  const ChartJs = window.Chart;
  if (typeof ChartJs !== "function") {
    canvases.forEach((canvas) => showProblem(canvas, t("chart_error")));
    return;
  }
  const palette = colors();
  ChartJs.defaults.font.family = getComputedStyle(document.body).fontFamily;
  ChartJs.defaults.color = palette.text;
  const builders = kind === "platform" ? platformCharts(palette) : creatorCharts(palette);
  canvases.forEach((canvas) => {
    const build = builders[canvas.dataset.chart];
    if (!build) return;
    try {
      const config = build();
      if (config) new ChartJs(canvas, config);
      else showProblem(canvas, t("no_data"));
    } catch (error) {
      console.error(`chart ${canvas.dataset.chart} failed`, error);
      showProblem(canvas, t("chart_error"));
    }
  });
  document.documentElement.dataset.chartsReady = "true";
}

drawAll();
