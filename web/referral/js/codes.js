// One card of "My codes": the code and its nickname, the share link as text, its QR code (the
// API's SVG), the counters, rewards in whole tokens, the daily chart and the card's buttons.
// Every value from the API goes in as text.

import { api } from "./api.js";
import { formatUnits } from "./amounts.js";
import { element, linkOrText } from "./dom.js";

function stat(label, value) {
  return element("div", {}, element("dt", { text: label }), element("dd", { text: value }));
}

// `actions`: { copy(link), share(link) or null when the browser cannot share, deactivate(code) }.
export function codeCard(referral, stats, decimals, actions, chart) {
  const code = String(referral.code);
  const headingID = `code-${code}`;
  const title = referral.nickname ? `${code} — ${referral.nickname}` : code;
  const card = element("li", {
    className: referral.active ? "code" : "code inactive",
    attributes: { "aria-labelledby": headingID, "data-code": code },
  });
  const heading = element("h3", { text: title, attributes: { id: headingID, tabindex: "-1" } });
  const details = element(
    "div",
    { className: "details" },
    heading,
    referral.description ? element("p", { className: "description", text: referral.description }) : null,
    element("p", { className: "state", text: referral.active ? "Active" : "Inactive: its link no longer counts clicks." }),
    element("p", { className: "link" }, linkOrText(referral.shareLink, "share-link")),
  );
  const qr = element("img", {
    className: "qr",
    // Lazy (set before src, which starts the fetch): a wallet with hundreds of codes fetches
    // only the QR codes near the view.
    attributes: { loading: "lazy", width: 144, height: 144, alt: `QR code for ${code}`, src: api.qrPath(code) },
  });
  const buttons = element("div", { className: "actions" });
  const button = (label, name, onClick, secondary) => {
    const node = element("button", {
      className: secondary ? "secondary" : undefined,
      text: label,
      attributes: { type: "button", "aria-label": `${name} ${code}` },
    });
    node.addEventListener("click", () => onClick(node));
    buttons.append(node);
  };
  button("Copy link", "Copy link", (node) => actions.copy(String(referral.shareLink), node));
  if (actions.share) button("Share", "Share", (node) => actions.share(String(referral.shareLink), code, node));
  if (referral.active) button("Deactivate", "Deactivate", (node) => actions.deactivate(code, node), true);

  const rewards = stats.rewards || {};
  const numbers = element(
    "dl",
    { className: "stats" },
    stat("Clicks", stats.clicks),
    stat("Unique visitors", stats.uniqueVisitors),
    stat("Conversions", stats.conversions),
    stat("Rewards pending", formatUnits(rewards.amountPending ?? "0", decimals)),
    stat("Rewards paid", formatUnits(rewards.amountPaid ?? "0", decimals)),
  );
  const daily = element(
    "figure",
    { className: "daily" },
    chart,
    element("figcaption", { className: "hint", text: "Clicks per day (UTC), last 30 days" }),
  );
  card.append(details, qr, buttons, numbers, daily);
  return { card, heading };
}
