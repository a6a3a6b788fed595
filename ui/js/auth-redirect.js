// Entra ID answers here (MSAL's redirect bridge): hand the answer to the app and go back to it.
const base = document.querySelector('meta[name="ui-base"]').content;

const bridge = window.msalRedirectBridge;
if (bridge) {
  bridge.broadcastResponseToMainFrame().catch(() => window.location.replace(base));
} else {
  window.location.replace(base);
}
