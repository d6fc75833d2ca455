// Finding and using a Solana wallet: a Wallet Standard wallet with `standard:connect` and
// `solana:signMessage`, else the injected provider (`window.solana`, Phantom's shape). Either way
// the page gets one object: `connect()` → the base58 address, `signMessage(bytes)` → 64 bytes.

const CONNECT = "standard:connect";
const SIGN_MESSAGE = "solana:signMessage";

// Wallet Standard wallets register through these two window events (the app announces itself,
// and wallets that load later announce themselves).
const standardWallets = [];
const registry = {
  register(...wallets) {
    for (const wallet of wallets) {
      if (wallet && !standardWallets.includes(wallet)) standardWallets.push(wallet);
    }
    return () => {};
  },
};
window.addEventListener("wallet-standard:register-wallet", (event) => {
  if (typeof event.detail === "function") event.detail(registry);
});
window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: registry }));

function usable(wallet) {
  const features = wallet.features || {};
  return Boolean(features[CONNECT] && features[SIGN_MESSAGE]);
}

function standardWallet(wallet) {
  let account = null;
  return {
    name: String(wallet.name || "Wallet"),
    async connect() {
      const { accounts } = await wallet.features[CONNECT].connect();
      account = (accounts && accounts[0]) || (wallet.accounts && wallet.accounts[0]) || null;
      if (!account) throw new Error("The wallet did not share an account.");
      return String(account.address);
    },
    async signMessage(message) {
      const [signed] = await wallet.features[SIGN_MESSAGE].signMessage({ account, message });
      return new Uint8Array(signed.signature);
    },
  };
}

function injectedWallet(provider) {
  return {
    name: provider.isPhantom ? "Phantom" : "Wallet",
    async connect() {
      await provider.connect();
      if (!provider.publicKey) throw new Error("The wallet did not share an account.");
      return provider.publicKey.toString();
    },
    async signMessage(message) {
      const { signature } = await provider.signMessage(message, "utf8");
      return new Uint8Array(signature);
    },
  };
}

// The wallet to use, or null when the browser has none.
export function findWallet() {
  const standard = standardWallets.find(usable);
  if (standard) return standardWallet(standard);
  const provider = window.solana;
  if (provider && typeof provider.connect === "function" && typeof provider.signMessage === "function") {
    return injectedWallet(provider);
  }
  return null;
}
