// The referral panel's wiring: sign-in with a wallet (SPEC §2), creating and listing codes (§3),
// the preferred vault (§5). Errors from the API are shown as the API worded them.

import { api, ApiError } from "./api.js";
import { base58 } from "./base58.js";
import { dailyChart } from "./chart.js";
import { codeCard } from "./codes.js";
import { findWallet } from "./wallet.js";

const $ = (id) => document.getElementById(id);

function showError(error) {
  const message = error instanceof Error ? error.message : String(error);
  $("notice").textContent = "";
  $("error").textContent = message || "Something went wrong.";
  $("error").hidden = false;
}

function notify(text) {
  $("error").hidden = true;
  $("error").textContent = "";
  $("notice").textContent = text;
}

// Runs `work` with `button` disabled, showing any error; returns what `work` returned.
async function busy(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (error) {
    // A session that ended meanwhile (expired, signed out elsewhere): back to the sign-in view.
    if (error instanceof ApiError && error.status === 401 && !$("signed-in").hidden) showSignedOut();
    showError(error);
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

// MARK: signed in or out

function showSignedOut() {
  $("wallet-status").textContent = "Not signed in.";
  $("connect").hidden = false;
  $("sign-out").hidden = true;
  $("signed-in").hidden = true;
  $("signed-out").hidden = false;
  $("codes").replaceChildren();
}

async function showSignedIn(me) {
  $("wallet-status").textContent = `Signed in as ${me.wallet}`;
  $("connect").hidden = true;
  $("sign-out").hidden = false;
  $("signed-out").hidden = true;
  $("signed-in").hidden = false;
  showVault(me.preferredVault);
  await loadCodes();
}

async function signIn(button) {
  const wallet = findWallet();
  if (!wallet) {
    throw new Error("No Solana wallet was found in this browser. Install one (for example Phantom), then reload.");
  }
  const address = await wallet.connect();
  const { message } = await api.nonce(address);
  let signature;
  try {
    signature = await wallet.signMessage(new TextEncoder().encode(message));
  } catch {
    throw new Error("The wallet did not sign the message, so you are not signed in.");
  }
  const me = await api.verify(address, message, base58(signature));
  await showSignedIn(me);
  notify("Signed in.");
  button.hidden = true;
  $("sign-out").focus();
}

// MARK: codes

const shareAvailable = typeof navigator.share === "function";

const cardActions = {
  async copy(link, button) {
    await busy(button, async () => {
      try {
        await navigator.clipboard.writeText(link);
      } catch {
        throw new Error("This browser did not allow copying: select the link and copy it.");
      }
      notify("Link copied.");
    });
  },
  share: shareAvailable
    ? async (link, code, button) => {
        await busy(button, async () => {
          try {
            await navigator.share({ title: `Referral link ${code}`, url: link });
          } catch (error) {
            if (error && error.name === "AbortError") return;
            throw new Error("Sharing did not work: copy the link instead.");
          }
        });
      }
    : null,
  async deactivate(code, button) {
    if (!(await confirmDeactivation(code))) return;
    await busy(button, async () => {
      await api.deactivate(code);
      notify(`${code} is deactivated.`);
      await loadCodes();
    });
  },
};

function confirmDeactivation(code) {
  const dialog = $("confirm");
  $("confirm-text").textContent = `Deactivate ${code}? Its link will stop counting clicks. This cannot be undone here.`;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.returnValue = "cancel";
    dialog.showModal();
  });
}

let loading = 0;

async function loadCodes(focusCode) {
  const generation = ++loading;
  const mine = await api.mine();
  if (generation !== loading) return;
  const decimals = mine.decimals;
  const cards = mine.referrals
    .slice()
    .reverse()
    .map((entry) => codeCard(entry.referral, entry.stats, decimals, cardActions, dailyChart(entry.stats.daily)));
  $("codes").replaceChildren(...cards.map((c) => c.card));
  $("no-codes").hidden = cards.length > 0;
  const focused = cards.find((c) => c.card.dataset.code === focusCode);
  if (focused) focused.heading.focus();
}

async function createCode(form) {
  const fields = {};
  for (const name of ["code", "nickname", "description"]) {
    const value = form.elements[name].value.trim();
    if (value) fields[name] = value;
  }
  const created = await api.create(fields);
  form.reset();
  notify(`Created ${created.code}. Its link: ${created.shareLink}`);
  await loadCodes(created.code);
}

// MARK: preferred vault

function showVault(vault) {
  const text = vault
    ? `${vault.vaultName}: ${vault.vaultAddress ?? "this code has no vault address"}`
    : "No preferred vault.";
  $("vault-current").textContent = text;
  $("vault-remove").hidden = !vault;
}

async function saveVault(form) {
  const code = form.elements.code.value.trim();
  if (!code) throw new Error("Vault code: enter the code whose vault you prefer.");
  const vault = await api.setVault(code);
  showVault(vault);
  form.reset();
  notify(`Your preferred vault is now ${vault.vaultName}'s.`);
}

async function removeVault() {
  await api.removeVault();
  showVault(null);
  notify("Preferred vault removed.");
}

// MARK: start

function submitter(event) {
  return event.submitter || event.target.querySelector("button[type=submit], button:not([type])");
}

$("connect").addEventListener("click", (event) => busy(event.currentTarget, () => signIn(event.currentTarget)));
$("sign-out").addEventListener("click", (event) =>
  busy(event.currentTarget, async () => {
    await api.logout();
    showSignedOut();
    notify("Signed out.");
    $("connect").focus();
  }),
);
$("create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  busy(submitter(event), () => createCode(event.target));
});
$("vault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  busy(submitter(event), () => saveVault(event.target));
});
$("vault-remove").addEventListener("click", (event) => busy(event.currentTarget, removeVault));

(async () => {
  try {
    await showSignedIn(await api.me());
  } catch (error) {
    showSignedOut();
    if (!(error instanceof ApiError && error.status === 401)) showError(error);
  }
  document.body.dataset.ready = "true";
})();
