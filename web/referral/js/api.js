// Calls to the responder's API (SPEC §2, §3, §5), on this origin with the session cookie. Every
// failure becomes an ApiError whose message is what the API said (its JSON `message`), so the
// page shows it as it is.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// The longest answer read: the API's own answers are far smaller.
const MAX_ANSWER_BYTES = 1 << 20;

async function call(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "The service cannot be reached. Check your connection and try again.");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let document = null;
  if (text.length <= MAX_ANSWER_BYTES && (response.headers.get("Content-Type") || "").startsWith("application/json")) {
    try {
      document = JSON.parse(text);
    } catch {
      document = null;
    }
  }
  if (!response.ok) {
    if (document && typeof document.message === "string") {
      throw new ApiError(response.status, String(document.error || ""), document.message);
    }
    throw new ApiError(response.status, "http", `The request failed (HTTP ${response.status}). Try again shortly.`);
  }
  if (document === null) {
    throw new ApiError(response.status, "invalid-answer", "The service sent an answer this page cannot read.");
  }
  return document;
}

const segment = (code) => encodeURIComponent(code);

export const api = {
  me: () => call("GET", "/api/me"),
  nonce: (wallet) => call("GET", `/api/auth/nonce?wallet=${encodeURIComponent(wallet)}`),
  verify: (wallet, message, signature) => call("POST", "/api/auth/verify", { wallet, message, signature }),
  logout: () => call("POST", "/api/auth/logout"),
  create: (fields) => call("POST", "/api/referral/create", fields),
  mine: () => call("GET", "/api/referral/mine"),
  deactivate: (code) => call("POST", `/api/referral/${segment(code)}/deactivate`),
  qrPath: (code) => `/api/referral/${segment(code)}/qr.svg`,
  vault: () => call("GET", "/api/preferences/referral-vault"),
  setVault: (code) => call("PUT", "/api/preferences/referral-vault", { code }),
  removeVault: () => call("DELETE", "/api/preferences/referral-vault"),
};
