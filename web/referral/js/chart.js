// The daily chart of a code: clicks per UTC day as bars, drawn as SVG elements (attributes only,
// no inline style) from the stats JSON's `daily` list. Each bar has a title with its day and
// numbers; the chart's accessible name sums it up.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 300;
const HEIGHT = 80;

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  return node;
}

export function dailyChart(daily) {
  const days = Array.isArray(daily) ? daily : [];
  const most = Math.max(1, ...days.map((day) => Number(day.clicks) || 0));
  const total = days.reduce((sum, day) => sum + (Number(day.clicks) || 0), 0);
  const chart = element("svg", {
    class: "chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT + 1}`,
    role: "img",
    preserveAspectRatio: "none",
  });
  chart.setAttribute("aria-label", `Clicks per day, last ${days.length} days: ${total} in all`);
  const slot = days.length ? WIDTH / days.length : WIDTH;
  days.forEach((day, index) => {
    const clicks = Number(day.clicks) || 0;
    const height = clicks === 0 ? 0 : Math.max(1, Math.round((clicks / most) * HEIGHT));
    const bar = element("rect", {
      class: "day",
      x: (index * slot + slot * 0.1).toFixed(2),
      y: HEIGHT - height,
      width: (slot * 0.8).toFixed(2),
      height,
    });
    const title = element("title", {});
    title.textContent = `${day.date}: ${clicks} clicks, ${Number(day.uniqueVisitors) || 0} unique visitors, ${Number(day.conversions) || 0} conversions`;
    bar.append(title);
    chart.append(bar);
  });
  chart.append(element("line", { class: "axis", x1: 0, y1: HEIGHT + 0.5, x2: WIDTH, y2: HEIGHT + 0.5 }));
  return chart;
}
